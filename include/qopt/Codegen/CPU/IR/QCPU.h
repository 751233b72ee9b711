//===- QCPU.h - qopt's CPU code-generation dialect ------------*- C++ -*-===//
//
// Part of qopt. See QCPU.td.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_CODEGEN_CPU_IR_QCPU_H
#define QOPT_CODEGEN_CPU_IR_QCPU_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "qopt/Codegen/CPU/IR/QCPUDialect.h.inc"
#include "qopt/Codegen/CPU/IR/QCPUEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "qopt/Codegen/CPU/IR/QCPUAttrs.h.inc"

#define GET_OP_CLASSES
#include "qopt/Codegen/CPU/IR/QCPUOps.h.inc"

#endif // QOPT_CODEGEN_CPU_IR_QCPU_H
