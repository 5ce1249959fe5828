//go:build amd64 && !purego

#include "textflag.h"

// Building the half-precision copy (F16C): the largest magnitude of a row,
// then each value divided by it (VDIVPS, rounded as Go's float32 division)
// and rounded to binary16 by VCVTPS2PH with immediate 0, round to nearest
// even, as toHalf does.

DATA absMask<>+0(SB)/4, $0x7fffffff
GLOBL absMask<>(SB), RODATA|NOPTR, $4

// func peakAbsAVX2(v []float32) float32
TEXT ·peakAbsAVX2(SB), NOSPLIT, $0-28
	MOVQ         v_base+0(FP), SI
	MOVQ         v_len+8(FP), CX
	VBROADCASTSS absMask<>(SB), Y7
	VXORPS       Y0, Y0, Y0
	VXORPS       Y1, Y1, Y1

pk16:
	CMPQ   CX, $16
	JL     pk8
	VANDPS (SI), Y7, Y2
	VANDPS 32(SI), Y7, Y3
	VMAXPS Y2, Y0, Y0
	VMAXPS Y3, Y1, Y1
	ADDQ   $64, SI
	SUBQ   $16, CX
	JMP    pk16

pk8:
	VMAXPS Y1, Y0, Y0
	CMPQ   CX, $8
	JL     pkreduce
	VANDPS (SI), Y7, Y2
	VMAXPS Y2, Y0, Y0
	ADDQ   $32, SI
	SUBQ   $8, CX

pkreduce:
	VEXTRACTF128 $1, Y0, X1
	VMAXPS       X1, X0, X0
	VPERMILPS    $0x4e, X0, X1
	VMAXPS       X1, X0, X0
	VPERMILPS    $0xb1, X0, X1
	VMAXPS       X1, X0, X0

pktail:
	CMPQ   CX, $0
	JE     pkdone
	VMOVSS (SI), X2
	VANDPS X7, X2, X2
	VMAXSS X2, X0, X0
	ADDQ   $4, SI
	DECQ   CX
	JMP    pktail

pkdone:
	VMOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// func toHalfRowAVX2(v []float32, peak float32, dst []uint16)
// dst[i] = toHalf(v[i] / peak) for i < len(v); len(dst) >= len(v).
TEXT ·toHalfRowAVX2(SB), NOSPLIT, $0-56
	MOVQ         v_base+0(FP), SI
	MOVQ         v_len+8(FP), CX
	VBROADCASTSS peak+24(FP), Y7
	MOVQ         dst_base+32(FP), DI

th16:
	CMPQ      CX, $16
	JL        th8
	VMOVUPS   (SI), Y0
	VMOVUPS   32(SI), Y1
	VDIVPS    Y7, Y0, Y0
	VDIVPS    Y7, Y1, Y1
	VCVTPS2PH $0, Y0, X0
	VCVTPS2PH $0, Y1, X1
	VMOVDQU   X0, (DI)
	VMOVDQU   X1, 16(DI)
	ADDQ      $64, SI
	ADDQ      $32, DI
	SUBQ      $16, CX
	JMP       th16

th8:
	CMPQ      CX, $8
	JL        thtail
	VMOVUPS   (SI), Y0
	VDIVPS    Y7, Y0, Y0
	VCVTPS2PH $0, Y0, X0
	VMOVDQU   X0, (DI)
	ADDQ      $32, SI
	ADDQ      $16, DI
	SUBQ      $8, CX

thtail:
	CMPQ      CX, $0
	JE        thdone
	VMOVSS    (SI), X0
	VDIVSS    X7, X0, X0
	VCVTPS2PH $0, X0, X0
	VMOVD     X0, AX
	MOVW      AX, (DI)
	ADDQ      $4, SI
	ADDQ      $2, DI
	DECQ      CX
	JMP       thtail

thdone:
	VZEROUPPER
	RET
