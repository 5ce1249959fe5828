//go:build amd64 && !purego

#include "textflag.h"

// func dotHalfRowsAVX512(q []float32, halfs []uint16, rows []int32, out []float32)
// dotHalfRowsAVX2 with 16-lane widening and FMAs for the 64-value blocks:
// once the walk reads binary16 rows, widening them is a good part of the
// work, and VCVTPH2PS on a zmm register widens twice as many per step.
TEXT ·dotHalfRowsAVX512(SB), NOSPLIT, $0-96
	MOVQ q_base+0(FP), R8
	MOVQ q_len+8(FP), R9
	MOVQ halfs_base+24(FP), R12
	MOVQ rows_base+48(FP), R13
	MOVQ rows_len+56(FP), R11
	MOVQ out_base+72(FP), R10
	MOVQ R9, R14
	SHLQ $1, R14

zdrow:
	CMPQ    R11, $0
	JE      zddone
	MOVLQSX (R13), DI
	IMULQ   R14, DI
	ADDQ    R12, DI
	MOVQ    R8, SI
	MOVQ    R9, CX
	VPXORD  Z0, Z0, Z0
	VPXORD  Z1, Z1, Z1
	VPXORD  Z2, Z2, Z2
	VPXORD  Z3, Z3, Z3

zd64:
	CMPQ        CX, $64
	JL          zdfold
	VCVTPH2PS   (DI), Z4
	VCVTPH2PS   32(DI), Z5
	VCVTPH2PS   64(DI), Z6
	VCVTPH2PS   96(DI), Z7
	VFMADD231PS (SI), Z4, Z0
	VFMADD231PS 64(SI), Z5, Z1
	VFMADD231PS 128(SI), Z6, Z2
	VFMADD231PS 192(SI), Z7, Z3
	ADDQ        $256, SI
	ADDQ        $128, DI
	SUBQ        $64, CX
	JMP         zd64

zdfold:
	VADDPS        Z1, Z0, Z0
	VADDPS        Z3, Z2, Z2
	VADDPS        Z2, Z0, Z0
	VEXTRACTF64X4 $1, Z0, Y1
	VADDPS        Y1, Y0, Y0

zd8:
	CMPQ        CX, $8
	JL          zdreduce
	VCVTPH2PS   (DI), Y4
	VFMADD231PS (SI), Y4, Y0
	ADDQ        $32, SI
	ADDQ        $16, DI
	SUBQ        $8, CX
	JMP         zd8

zdreduce:
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VHADDPS      X0, X0, X0
	VHADDPS      X0, X0, X0

zdtail:
	CMPQ        CX, $0
	JE          zdstore
	MOVWLZX     (DI), AX
	VMOVD       AX, X1
	VCVTPH2PS   X1, X1
	VFMADD231SS (SI), X1, X0
	ADDQ        $4, SI
	ADDQ        $2, DI
	DECQ        CX
	JMP         zdtail

zdstore:
	VMOVSS X0, (R10)
	ADDQ   $4, R10
	ADDQ   $4, R13
	DECQ   R11
	JMP    zdrow

zddone:
	VZEROUPPER
	RET
