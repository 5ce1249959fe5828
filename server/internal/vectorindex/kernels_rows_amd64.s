//go:build amd64 && !purego

#include "textflag.h"

// Row kernels: distances from q to the rows of vecs that rows names, in one
// call per neighbour list, so the walk pays no call per neighbour. Each
// row's arithmetic is exactly dotAVX2's (l2sqAVX2's): same accumulators,
// same order, so results are bit-identical and the graph does not change.

// func dotRowsAVX2(q, vecs []float32, rows []int32, out []float32)
TEXT ·dotRowsAVX2(SB), NOSPLIT, $0-96
	MOVQ q_base+0(FP), R8
	MOVQ q_len+8(FP), R9
	MOVQ vecs_base+24(FP), R12
	MOVQ rows_base+48(FP), R13
	MOVQ rows_len+56(FP), R11
	MOVQ out_base+72(FP), R10
	MOVQ R9, R14
	SHLQ $2, R14

dotrrow:
	CMPQ    R11, $0
	JE      dotrdone
	MOVLQSX (R13), DI
	IMULQ   R14, DI
	ADDQ    R12, DI
	MOVQ    R8, SI
	MOVQ    R9, CX
	VXORPS  Y0, Y0, Y0
	VXORPS  Y1, Y1, Y1
	VXORPS  Y2, Y2, Y2
	VXORPS  Y3, Y3, Y3

dotr32:
	CMPQ        CX, $32
	JL          dotr8
	VMOVUPS     (SI), Y4
	VMOVUPS     32(SI), Y5
	VMOVUPS     64(SI), Y6
	VMOVUPS     96(SI), Y7
	VFMADD231PS (DI), Y4, Y0
	VFMADD231PS 32(DI), Y5, Y1
	VFMADD231PS 64(DI), Y6, Y2
	VFMADD231PS 96(DI), Y7, Y3
	ADDQ        $128, SI
	ADDQ        $128, DI
	SUBQ        $32, CX
	JMP         dotr32

dotr8:
	CMPQ        CX, $8
	JL          dotrreduce
	VMOVUPS     (SI), Y4
	VFMADD231PS (DI), Y4, Y0
	ADDQ        $32, SI
	ADDQ        $32, DI
	SUBQ        $8, CX
	JMP         dotr8

dotrreduce:
	VADDPS       Y1, Y0, Y0
	VADDPS       Y3, Y2, Y2
	VADDPS       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VHADDPS      X0, X0, X0
	VHADDPS      X0, X0, X0

dotrtail:
	CMPQ        CX, $0
	JE          dotrstore
	VMOVSS      (SI), X1
	VFMADD231SS (DI), X1, X0
	ADDQ        $4, SI
	ADDQ        $4, DI
	DECQ        CX
	JMP         dotrtail

dotrstore:
	VMOVSS X0, (R10)
	ADDQ   $4, R10
	ADDQ   $4, R13
	DECQ   R11
	JMP    dotrrow

dotrdone:
	VZEROUPPER
	RET

// func l2sqRowsAVX2(q, vecs []float32, rows []int32, out []float32)
TEXT ·l2sqRowsAVX2(SB), NOSPLIT, $0-96
	MOVQ q_base+0(FP), R8
	MOVQ q_len+8(FP), R9
	MOVQ vecs_base+24(FP), R12
	MOVQ rows_base+48(FP), R13
	MOVQ rows_len+56(FP), R11
	MOVQ out_base+72(FP), R10
	MOVQ R9, R14
	SHLQ $2, R14

l2rrow:
	CMPQ    R11, $0
	JE      l2rdone
	MOVLQSX (R13), DI
	IMULQ   R14, DI
	ADDQ    R12, DI
	MOVQ    R8, SI
	MOVQ    R9, CX
	VXORPS  Y0, Y0, Y0
	VXORPS  Y1, Y1, Y1
	VXORPS  Y2, Y2, Y2
	VXORPS  Y3, Y3, Y3

l2r32:
	CMPQ        CX, $32
	JL          l2r8
	VMOVUPS     (SI), Y4
	VMOVUPS     32(SI), Y5
	VMOVUPS     64(SI), Y6
	VMOVUPS     96(SI), Y7
	VSUBPS      (DI), Y4, Y4
	VSUBPS      32(DI), Y5, Y5
	VSUBPS      64(DI), Y6, Y6
	VSUBPS      96(DI), Y7, Y7
	VFMADD231PS Y4, Y4, Y0
	VFMADD231PS Y5, Y5, Y1
	VFMADD231PS Y6, Y6, Y2
	VFMADD231PS Y7, Y7, Y3
	ADDQ        $128, SI
	ADDQ        $128, DI
	SUBQ        $32, CX
	JMP         l2r32

l2r8:
	CMPQ        CX, $8
	JL          l2rreduce
	VMOVUPS     (SI), Y4
	VSUBPS      (DI), Y4, Y4
	VFMADD231PS Y4, Y4, Y0
	ADDQ        $32, SI
	ADDQ        $32, DI
	SUBQ        $8, CX
	JMP         l2r8

l2rreduce:
	VADDPS       Y1, Y0, Y0
	VADDPS       Y3, Y2, Y2
	VADDPS       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VHADDPS      X0, X0, X0
	VHADDPS      X0, X0, X0

l2rtail:
	CMPQ        CX, $0
	JE          l2rstore
	VMOVSS      (SI), X1
	VSUBSS      (DI), X1, X1
	VFMADD231SS X1, X1, X0
	ADDQ        $4, SI
	ADDQ        $4, DI
	DECQ        CX
	JMP         l2rtail

l2rstore:
	VMOVSS X0, (R10)
	ADDQ   $4, R10
	ADDQ   $4, R13
	DECQ   R11
	JMP    l2rrow

l2rdone:
	VZEROUPPER
	RET

// func prefetchRows(base unsafe.Pointer, rowBytes int, rows []int32, lines int)
// Starts loading the first `lines` cache lines of every named row: one
// call per neighbour list instead of one per neighbour.
TEXT ·prefetchRows(SB), NOSPLIT, $0-48
	MOVQ base+0(FP), AX
	MOVQ rowBytes+8(FP), BX
	MOVQ rows_base+16(FP), SI
	MOVQ rows_len+24(FP), CX
	MOVQ lines+40(FP), DX

pfrrow:
	CMPQ    CX, $0
	JLE     pfrdone
	MOVLQSX (SI), DI
	IMULQ   BX, DI
	ADDQ    AX, DI
	MOVQ    DX, R8

pfrline:
	CMPQ       R8, $0
	JLE        pfrnext
	PREFETCHT0 (DI)
	ADDQ       $64, DI
	DECQ       R8
	JMP        pfrline

pfrnext:
	ADDQ $4, SI
	DECQ CX
	JMP  pfrrow

pfrdone:
	RET
