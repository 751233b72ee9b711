//===- CPUDispatch.cpp - Multi-versioned objects: choosing at run time ----===//
//
// Part of qopt. The detection is emitted as LLVM IR with inline `cpuid` and
// `xgetbv`, so that the object needs no runtime library (GCC's and
// compiler-rt's __cpu_model differ in layout and in which features they
// know).
//
//===----------------------------------------------------------------------===//

#include "qopt/Target/AOT/CPUDispatch.h"

#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InlineAsm.h"
#include "llvm/IR/Module.h"

using namespace llvm;

std::vector<qopt::CPUVersion> qopt::x86Versions() {
  return {{"x86-64", "x86-64", ""},
          {"x86-64-v3", "x86-64-v3", ""},
          {"x86-64-v4+avx512vnni", "x86-64-v4", "+avx512vnni"},
          {"x86-64-v4+avx512vnni+avx512vbmi", "x86-64-v4",
           "+avx512vnni,+avx512vbmi"}};
}

namespace {
/// {eax, ebx, ecx, edx} of `cpuid` with leaf `leaf`, subleaf `sub`.
Value *cpuid(IRBuilder<> &b, uint32_t leaf, uint32_t sub) {
  Type *i32 = b.getInt32Ty();
  auto *result = StructType::get(b.getContext(), {i32, i32, i32, i32});
  auto *type = FunctionType::get(result, {i32, i32}, false);
  InlineAsm *asmCall = InlineAsm::get(
      type, "cpuid",
      "={ax},={bx},={cx},={dx},{ax},{cx},~{dirflag},~{fpsr},~{flags}",
      /*hasSideEffects=*/false);
  return b.CreateCall(type, asmCall, {b.getInt32(leaf), b.getInt32(sub)});
}

/// Whether every bit of `mask` is set in `value`.
Value *allSet(IRBuilder<> &b, Value *value, uint32_t mask) {
  return b.CreateICmpEQ(b.CreateAnd(value, b.getInt32(mask)), b.getInt32(mask));
}

constexpr uint32_t bit(unsigned i) { return 1u << i; }
} // namespace

Function *qopt::emitX86CPULevel(Module &m, StringRef symbol) {
  LLVMContext &ctx = m.getContext();
  Type *i32 = Type::getInt32Ty(ctx);
  Type *ptr = PointerType::getUnqual(ctx);
  auto *fn = Function::Create(FunctionType::get(i32, {}, false),
                              GlobalValue::InternalLinkage, symbol, &m);
  BasicBlock *entry = BasicBlock::Create(ctx, "entry", fn);
  BasicBlock *readXCR0 = BasicBlock::Create(ctx, "xgetbv", fn);
  BasicBlock *features = BasicBlock::Create(ctx, "features", fn);
  BasicBlock *readEnv = BasicBlock::Create(ctx, "env", fn);
  BasicBlock *done = BasicBlock::Create(ctx, "done", fn);
  IRBuilder<> b(entry);

  Value *maxLeaf = b.CreateExtractValue(cpuid(b, 0, 0), 0);
  Value *ecx1 = b.CreateExtractValue(cpuid(b, 1, 0), 2);
  // Leaves above the maximum return another leaf's data: read as zero.
  Value *leaf7 = cpuid(b, 7, 0);
  Value *has7 = b.CreateICmpUGE(maxLeaf, b.getInt32(7));
  Value *ebx7 =
      b.CreateSelect(has7, b.CreateExtractValue(leaf7, 1), b.getInt32(0));
  Value *ecx7 =
      b.CreateSelect(has7, b.CreateExtractValue(leaf7, 2), b.getInt32(0));
  Value *maxExt = b.CreateExtractValue(cpuid(b, 0x80000000u, 0), 0);
  Value *ecxExt = b.CreateSelect(
      b.CreateICmpUGE(maxExt, b.getInt32(0x80000001u)),
      b.CreateExtractValue(cpuid(b, 0x80000001u, 0), 2), b.getInt32(0));
  // XGETBV exists only with OSXSAVE (CPUID.1:ECX bit 27).
  b.CreateCondBr(allSet(b, ecx1, bit(27)), readXCR0, features);

  b.SetInsertPoint(readXCR0);
  auto *xgetbvType =
      FunctionType::get(StructType::get(ctx, {i32, i32}), {i32}, false);
  Value *xcr0Read = b.CreateExtractValue(
      b.CreateCall(
          xgetbvType,
          InlineAsm::get(xgetbvType, "xgetbv",
                         "={ax},={dx},{cx},~{dirflag},~{fpsr},~{flags}",
                         /*hasSideEffects=*/false),
          {b.getInt32(0)}),
      0);
  b.CreateBr(features);

  b.SetInsertPoint(features);
  PHINode *xcr0 = b.CreatePHI(i32, 2);
  xcr0->addIncoming(b.getInt32(0), entry);
  xcr0->addIncoming(xcr0Read, readXCR0);
  // x86-64-v3: AVX, AVX2, FMA, F16C, MOVBE, BMI1/2, LZCNT; XMM and YMM
  // state saved by the OS.
  Value *v3 = b.CreateAnd(
      {allSet(b, xcr0, 0x6),
       allSet(b, ecx1, bit(12) | bit(22) | bit(27) | bit(28) | bit(29)),
       allSet(b, ebx7, bit(3) | bit(5) | bit(8)), allSet(b, ecxExt, bit(5))});
  // x86-64-v4: AVX-512 F, DQ, CD, BW, VL; opmask and ZMM state saved.
  // With VNNI (ECX bit 11), then VBMI (ECX bit 1).
  Value *v4vnni = b.CreateAnd(
      {v3, allSet(b, xcr0, 0xE6),
       allSet(b, ebx7, bit(16) | bit(17) | bit(28) | bit(30) | bit(31)),
       allSet(b, ecx7, bit(11))});
  Value *v4vbmi = b.CreateAnd(v4vnni, allSet(b, ecx7, bit(1)));
  Value *level = b.CreateSelect(
      v4vbmi, b.getInt32(3),
      b.CreateSelect(v4vnni, b.getInt32(2),
                     b.CreateSelect(v3, b.getInt32(1), b.getInt32(0))));
  FunctionCallee getenvFn =
      m.getOrInsertFunction("getenv", FunctionType::get(ptr, {ptr}, false));
  Value *env = b.CreateCall(
      getenvFn, {b.CreateGlobalString("QOPT_CPU_LEVEL", "qopt.cpu_level_env")});
  b.CreateCondBr(b.CreateIsNull(env), done, readEnv);

  b.SetInsertPoint(readEnv);
  Value *digit = b.CreateSub(
      b.CreateZExt(b.CreateLoad(b.getInt8Ty(), env), i32), b.getInt32('0'));
  // A digit lowers the level; anything else leaves it.
  Value *isDigit = b.CreateICmpULE(digit, b.getInt32(9));
  Value *lowered = b.CreateSelect(
      b.CreateAnd(isDigit, b.CreateICmpULT(digit, level)), digit, level);
  b.CreateBr(done);

  b.SetInsertPoint(done);
  PHINode *result = b.CreatePHI(i32, 2);
  result->addIncoming(level, features);
  result->addIncoming(lowered, readEnv);
  b.CreateRet(result);
  return fn;
}
