//go:build amd64 && !purego

#include "textflag.h"

// Half-precision row kernels (F16C + FMA): the query is float32, the rows
// binary16, widened 8 at a time with VCVTPH2PS.

// func dotHalfRowsAVX2(q []float32, halfs []uint16, rows []int32, out []float32)
TEXT ·dotHalfRowsAVX2(SB), NOSPLIT, $0-96
	MOVQ q_base+0(FP), R8
	MOVQ q_len+8(FP), R9
	MOVQ halfs_base+24(FP), R12
	MOVQ rows_base+48(FP), R13
	MOVQ rows_len+56(FP), R11
	MOVQ out_base+72(FP), R10
	MOVQ R9, R14
	SHLQ $1, R14

hdrow:
	CMPQ    R11, $0
	JE      hddone
	MOVLQSX (R13), DI
	IMULQ   R14, DI
	ADDQ    R12, DI
	MOVQ    R8, SI
	MOVQ    R9, CX
	VXORPS  Y0, Y0, Y0
	VXORPS  Y1, Y1, Y1
	VXORPS  Y2, Y2, Y2
	VXORPS  Y3, Y3, Y3

hd32:
	CMPQ        CX, $32
	JL          hd8
	VCVTPH2PS   (DI), Y4
	VCVTPH2PS   16(DI), Y5
	VCVTPH2PS   32(DI), Y6
	VCVTPH2PS   48(DI), Y7
	VFMADD231PS (SI), Y4, Y0
	VFMADD231PS 32(SI), Y5, Y1
	VFMADD231PS 64(SI), Y6, Y2
	VFMADD231PS 96(SI), Y7, Y3
	ADDQ        $128, SI
	ADDQ        $64, DI
	SUBQ        $32, CX
	JMP         hd32

hd8:
	CMPQ        CX, $8
	JL          hdreduce
	VCVTPH2PS   (DI), Y4
	VFMADD231PS (SI), Y4, Y0
	ADDQ        $32, SI
	ADDQ        $16, DI
	SUBQ        $8, CX
	JMP         hd8

hdreduce:
	VADDPS       Y1, Y0, Y0
	VADDPS       Y3, Y2, Y2
	VADDPS       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VHADDPS      X0, X0, X0
	VHADDPS      X0, X0, X0

hdtail:
	CMPQ        CX, $0
	JE          hdstore
	MOVWLZX     (DI), AX
	VMOVD       AX, X1
	VCVTPH2PS   X1, X1
	VFMADD231SS (SI), X1, X0
	ADDQ        $4, SI
	ADDQ        $2, DI
	DECQ        CX
	JMP         hdtail

hdstore:
	VMOVSS X0, (R10)
	ADDQ   $4, R10
	ADDQ   $4, R13
	DECQ   R11
	JMP    hdrow

hddone:
	VZEROUPPER
	RET

// func l2sqHalfRowsAVX2(q []float32, halfs []uint16, factor []float32, rows []int32, out []float32)
// out[i] = Σ(q - factor[row]·halfs[row])².
TEXT ·l2sqHalfRowsAVX2(SB), NOSPLIT, $0-120
	MOVQ q_base+0(FP), R8
	MOVQ q_len+8(FP), R9
	MOVQ halfs_base+24(FP), R12
	MOVQ factor_base+48(FP), R15
	MOVQ rows_base+72(FP), R13
	MOVQ rows_len+80(FP), R11
	MOVQ out_base+96(FP), R10
	MOVQ R9, R14
	SHLQ $1, R14

hlrow:
	CMPQ         R11, $0
	JE           hldone
	MOVLQSX      (R13), DI
	VBROADCASTSS (R15)(DI*4), Y8
	IMULQ        R14, DI
	ADDQ         R12, DI
	MOVQ         R8, SI
	MOVQ         R9, CX
	VXORPS       Y0, Y0, Y0
	VXORPS       Y1, Y1, Y1
	VXORPS       Y2, Y2, Y2
	VXORPS       Y3, Y3, Y3

hl32:
	CMPQ        CX, $32
	JL          hl8
	VCVTPH2PS   (DI), Y4
	VCVTPH2PS   16(DI), Y5
	VCVTPH2PS   32(DI), Y6
	VCVTPH2PS   48(DI), Y7
	VFMSUB213PS (SI), Y8, Y4
	VFMSUB213PS 32(SI), Y8, Y5
	VFMSUB213PS 64(SI), Y8, Y6
	VFMSUB213PS 96(SI), Y8, Y7
	VFMADD231PS Y4, Y4, Y0
	VFMADD231PS Y5, Y5, Y1
	VFMADD231PS Y6, Y6, Y2
	VFMADD231PS Y7, Y7, Y3
	ADDQ        $128, SI
	ADDQ        $64, DI
	SUBQ        $32, CX
	JMP         hl32

hl8:
	CMPQ        CX, $8
	JL          hlreduce
	VCVTPH2PS   (DI), Y4
	VFMSUB213PS (SI), Y8, Y4
	VFMADD231PS Y4, Y4, Y0
	ADDQ        $32, SI
	ADDQ        $16, DI
	SUBQ        $8, CX
	JMP         hl8

hlreduce:
	VADDPS       Y1, Y0, Y0
	VADDPS       Y3, Y2, Y2
	VADDPS       Y2, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS       X1, X0, X0
	VHADDPS      X0, X0, X0
	VHADDPS      X0, X0, X0

hltail:
	CMPQ        CX, $0
	JE          hlstore
	MOVWLZX     (DI), AX
	VMOVD       AX, X1
	VCVTPH2PS   X1, X1
	VFMSUB213SS (SI), X8, X1
	VFMADD231SS X1, X1, X0
	ADDQ        $4, SI
	ADDQ        $2, DI
	DECQ        CX
	JMP         hltail

hlstore:
	VMOVSS X0, (R10)
	ADDQ   $4, R10
	ADDQ   $4, R13
	DECQ   R11
	JMP    hlrow

hldone:
	VZEROUPPER
	RET

// func hasF16C() bool
// CPUID leaf 1, ECX bit 29: the half-precision conversions.
TEXT ·hasF16C(SB), NOSPLIT, $0-1
	MOVL  $1, AX
	XORL  CX, CX
	CPUID
	SHRL  $29, CX
	ANDL  $1, CX
	MOVB  CX, ret+0(FP)
	RET
