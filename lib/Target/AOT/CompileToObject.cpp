//===- CompileToObject.cpp - Ahead-of-time compilation --------------------===//
//
// Part of qopt. The C entry point is written in LLVM IR after translation:
//   void <name>_run(const T0 *in0, ..., U0 *out0, ..., int64_t batch);
//   void <name>_run_packed(const void *const *ins, void *const *outs,
//                          int64_t batch);
// It builds the expanded memref descriptors (pointer, pointer, offset, sizes,
// row-major strides) that the lowered entry takes, the batch filling the
// dynamic leading dimension.
//
//===----------------------------------------------------------------------===//

#include "qopt/Target/AOT/CompileToObject.h"

#include "qopt/Dialect/QNN/Utils/RowCounts.h"
#include "qopt/Dialect/QNN/Utils/TensorUtils.h"
#include "qopt/Pipelines/Pipelines.h"
#include "qopt/Support/OutputFile.h"
#include "qopt/Target/AOT/CHeader.h"
#include "qopt/Target/AOT/CPUDispatch.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/Linker/Linker.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/TargetParser/Triple.h"
#include "llvm/Transforms/IPO/ConstantMerge.h"

using llvm::Error;
using llvm::StringRef;
using llvm::Twine;

namespace {

Error err(const Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg.str());
}

/// Routes the lowered code's malloc and aligned_alloc through checks: on
/// NULL they call `<name>_allocation_failed(bytes)`, a weak function of the
/// object that writes a message to stderr and aborts. A program may define
/// its own (e.g. to longjmp out); either way a failed allocation is never
/// dereferenced.
void checkAllocations(llvm::Module &m, const std::string &name) {
  llvm::LLVMContext &ctx = m.getContext();
  llvm::Type *ptr = llvm::PointerType::getUnqual(ctx);
  llvm::Type *i64 = llvm::Type::getInt64Ty(ctx);
  llvm::Type *i32 = llvm::Type::getInt32Ty(ctx);
  llvm::Type *voidTy = llvm::Type::getVoidTy(ctx);

  // void <name>_allocation_failed(int64_t bytes): write(2, msg), abort().
  llvm::Function *failed = llvm::Function::Create(
      llvm::FunctionType::get(voidTy, {i64}, false),
      llvm::GlobalValue::WeakAnyLinkage, name + "_allocation_failed", &m);
  {
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", failed));
    std::string msg = "qopt: model '" + name +
                      "' could not allocate an intermediate buffer\n";
    llvm::Value *text = b.CreateGlobalString(msg, name + ".alloc_failed_msg");
    llvm::FunctionCallee write = m.getOrInsertFunction(
        "write", llvm::FunctionType::get(i64, {i32, ptr, i64}, false));
    b.CreateCall(write, {b.getInt32(2), text, b.getInt64(msg.size())});
    llvm::FunctionCallee abortFn = m.getOrInsertFunction(
        "abort", llvm::FunctionType::get(voidTy, {}, false));
    b.CreateCall(abortFn);
    b.CreateUnreachable();
  }

  // An If branch the importer could not compile for the model's input
  // shapes calls this one: weak too, message and abort.
  if (llvm::Function *branch = m.getFunction("qopt_unavailable_branch");
      branch && branch->isDeclaration()) {
    branch->setLinkage(llvm::GlobalValue::WeakAnyLinkage);
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", branch));
    std::string msg = "qopt: model '" + name +
                      "' took an If branch that could not be compiled for "
                      "its input shapes\n";
    llvm::Value *text = b.CreateGlobalString(msg, name + ".branch_msg");
    llvm::FunctionCallee write = m.getOrInsertFunction(
        "write", llvm::FunctionType::get(i64, {i32, ptr, i64}, false));
    b.CreateCall(write, {b.getInt32(2), text, b.getInt64(msg.size())});
    llvm::FunctionCallee abortFn = m.getOrInsertFunction(
        "abort", llvm::FunctionType::get(voidTy, {}, false));
    b.CreateCall(abortFn);
    b.CreateUnreachable();
  }

  for (StringRef allocName : {"malloc", "aligned_alloc"}) {
    llvm::Function *alloc = m.getFunction(allocName);
    if (!alloc || alloc->use_empty())
      continue;
    llvm::FunctionType *type = alloc->getFunctionType();
    llvm::Function *checked = llvm::Function::Create(
        type, llvm::GlobalValue::InternalLinkage,
        "qopt.checked_" + allocName.str(), &m);
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", checked));
    llvm::SmallVector<llvm::Value *> args;
    for (llvm::Argument &a : checked->args())
      args.push_back(&a);
    llvm::Value *p = b.CreateCall(alloc, args);
    llvm::Value *bytes = checked->getArg(checked->arg_size() - 1);
    llvm::BasicBlock *fail = llvm::BasicBlock::Create(ctx, "fail", checked);
    llvm::BasicBlock *ok = llvm::BasicBlock::Create(ctx, "ok", checked);
    // A zero-byte request may legitimately return NULL.
    b.CreateCondBr(b.CreateAnd(b.CreateIsNull(p),
                               b.CreateICmpNE(bytes, b.getInt64(0))),
                   fail, ok);
    b.SetInsertPoint(fail);
    b.CreateCall(failed, {bytes});
    b.CreateUnreachable();
    b.SetInsertPoint(ok);
    b.CreateRet(p);
    alloc->replaceUsesWithIf(checked, [&](llvm::Use &u) {
      auto *call = llvm::dyn_cast<llvm::CallBase>(u.getUser());
      return !call || call->getFunction() != checked;
    });
  }
}

/// Appends the fields of one expanded memref descriptor for `base`.
void pushDescriptor(llvm::IRBuilder<> &b, llvm::Value *base,
                    llvm::ArrayRef<int64_t> shape, llvm::Value *batch,
                    llvm::SmallVectorImpl<llvm::Value *> &args) {
  llvm::Type *i64 = b.getInt64Ty();
  args.push_back(base);
  args.push_back(base);
  args.push_back(llvm::ConstantInt::get(i64, 0));
  llvm::SmallVector<llvm::Value *> sizes;
  for (int64_t d : shape)
    sizes.push_back(mlir::ShapedType::isDynamic(d)
                        ? batch
                        : llvm::ConstantInt::get(i64, d));
  args.append(sizes.begin(), sizes.end());
  llvm::SmallVector<llvm::Value *> strides(shape.size());
  llvm::Value *stride = llvm::ConstantInt::get(i64, 1);
  for (int64_t i = (int64_t)shape.size() - 1; i >= 0; --i) {
    strides[i] = stride;
    stride = b.CreateMul(stride, sizes[i]);
  }
  args.append(strides.begin(), strides.end());
}

/// The vectorizers and code generation query the subtarget through these
/// attributes (per function: a multi-versioned module mixes CPUs).
void setTargetAttributes(llvm::Function &f, llvm::TargetMachine &tm) {
  f.addFnAttr("target-cpu", tm.getTargetCPU());
  if (!tm.getTargetFeatureString().empty())
    f.addFnAttr("target-features", tm.getTargetFeatureString());
}

llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const llvm::Target &target, const llvm::Triple &triple,
                    const std::string &cpu, const std::string &features) {
  // No FP contraction: x86-64 and AArch64 objects round identically (the
  // integer-only models' outputs agree bit for bit across targets).
  llvm::TargetOptions targetOptions;
  std::unique_ptr<llvm::TargetMachine> tm(target.createTargetMachine(
      triple, cpu, features, targetOptions, llvm::Reloc::PIC_, std::nullopt,
      llvm::CodeGenOptLevel::Aggressive));
  if (!tm)
    return err("cannot create a target machine for '" + triple.str() +
               "' (cpu '" + cpu + "')");
  if (!tm->getMCSubtargetInfo()->isCPUStringValid(cpu))
    return err("'" + cpu + "' is not a CPU of target '" + triple.str() +
               "' (see llc -mtriple=" + triple.str() + " -mcpu=help)");
  return std::move(tm);
}

/// `module` (consumed) lowered with `tm`'s dot-product, table-lookup and
/// vector instructions, translated into `ctx`, given the C entry
/// `runName` (inputs..., outputs..., batch), checked allocations, `tm`'s
/// target attributes, and optimized at O3 for `tm`.
llvm::Expected<std::unique_ptr<llvm::Module>>
lowerForCPU(mlir::ModuleOp module, llvm::TargetMachine &tm, StringRef impl,
            StringRef runName, const qopt::AOTOptions &options,
            llvm::ArrayRef<qopt::CHeaderPort> inputs,
            llvm::ArrayRef<qopt::CHeaderPort> outputs,
            llvm::LLVMContext &llvmContext, std::string &instructions) {
  mlir::PassManager pm(module.getContext());
  qopt::LowerToLLVMOptions lowerOptions;
  lowerOptions.threads = options.threads;
  const llvm::MCSubtargetInfo *sti = tm.getMCSubtargetInfo();
  // (checkFeatures aborts on names the target does not know.)
  auto hasFeature = [&](llvm::StringRef f) {
    bool known = llvm::any_of(
        sti->getAllProcessorFeatures(),
        [&](const llvm::SubtargetFeatureKV &kv) { return f == kv.Key; });
    return known && sti->checkFeatures("+" + f.str());
  };
  qopt::chooseTargetInstructions(lowerOptions, hasFeature);
  instructions = (llvm::Twine(lowerOptions.vectorWidth) + "-lane vectors, " +
                  mlir::qcpu::stringifyDotProductISA(lowerOptions.dotProduct) +
                  " int8 products, " +
                  mlir::qcpu::stringifyByteLookupISA(lowerOptions.byteLookup) +
                  " byte tables")
                     .str();
  qopt::buildLowerToLLVMPipeline(pm, lowerOptions);
  if (mlir::failed(pm.run(module)))
    return err("lowering to LLVM failed (see the diagnostics above)");

  auto llvmModule = mlir::translateModuleToLLVMIR(module, llvmContext);
  if (!llvmModule)
    return err("translation to LLVM IR failed");
  llvmModule->setTargetTriple(tm.getTargetTriple());
  llvmModule->setDataLayout(tm.createDataLayout());

  llvm::Function *entry = llvmModule->getFunction(impl);
  if (!entry)
    return err("lowered entry function is missing");
  entry->setLinkage(llvm::GlobalValue::InternalLinkage);
  llvm::Type *ptr = llvm::PointerType::getUnqual(llvmContext);
  llvm::Type *i64 = llvm::Type::getInt64Ty(llvmContext);
  llvm::SmallVector<llvm::Type *> runParams(inputs.size() + outputs.size(),
                                            ptr);
  runParams.push_back(i64);
  auto *runFn = llvm::Function::Create(
      llvm::FunctionType::get(llvm::Type::getVoidTy(llvmContext), runParams,
                              false),
      llvm::GlobalValue::ExternalLinkage, runName, llvmModule.get());
  {
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(llvmContext, "entry", runFn));
    llvm::Value *batch = runFn->getArg(runParams.size() - 1);
    llvm::SmallVector<llvm::Value *> args;
    unsigned a = 0;
    for (const qopt::CHeaderPort &p : inputs)
      pushDescriptor(b, runFn->getArg(a++), p.shape, batch, args);
    for (const qopt::CHeaderPort &p : outputs)
      pushDescriptor(b, runFn->getArg(a++), p.shape, batch, args);
    if (args.size() != entry->arg_size())
      return err("unexpected calling convention of the lowered entry");
    b.CreateCall(entry, args);
    b.CreateRetVoid();
  }
  checkAllocations(*llvmModule, options.name);
  for (llvm::Function &f : *llvmModule)
    if (!f.isDeclaration())
      setTargetAttributes(f, tm);
  // LLVM's O3 before code generation (dot-product instructions need it).
  auto optimize = mlir::makeOptimizingTransformer(3, 0, &tm);
  if (Error e = optimize(llvmModule.get()))
    return std::move(e);
  return std::move(llvmModule);
}

/// Versions whose weights are packed alike (the same vector shape) share
/// one copy: the model never compares the addresses of its constants.
void mergeIdenticalConstants(llvm::Module &m) {
  for (llvm::GlobalVariable &g : m.globals())
    if (g.isConstant() && g.hasLocalLinkage())
      g.setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb;
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager mpm;
  mpm.addPass(llvm::ConstantMergePass());
  mpm.run(m, mam);
}

/// The entry of a multi-versioned object: `<name>_run` calls the version
/// (`runNames`, made internal) the CPU level selects, found at the first
/// call and cached; `<name>_cpu_version()` returns its name.
llvm::Function *emitDispatcher(llvm::Module &m, llvm::TargetMachine &baseline,
                               const std::string &name,
                               llvm::ArrayRef<qopt::CPUVersion> versions,
                               llvm::ArrayRef<std::string> runNames) {
  llvm::LLVMContext &ctx = m.getContext();
  llvm::Type *i32 = llvm::Type::getInt32Ty(ctx);
  llvm::Type *ptr = llvm::PointerType::getUnqual(ctx);
  llvm::Function *detect = qopt::emitX86CPULevel(m, name + ".detect_cpu");
  setTargetAttributes(*detect, baseline);
  // The level, -1 until the first call. Racing first calls store the same
  // value (monotonic atomics: no data race).
  auto *cached = new llvm::GlobalVariable(
      m, i32, /*isConstant=*/false, llvm::GlobalValue::InternalLinkage,
      llvm::ConstantInt::getSigned(i32, -1), name + ".cpu_level");
  auto *levelFn = llvm::Function::Create(
      llvm::FunctionType::get(i32, {}, false),
      llvm::GlobalValue::InternalLinkage, name + ".cpu_level_cached", &m);
  {
    llvm::BasicBlock *entry = llvm::BasicBlock::Create(ctx, "entry", levelFn);
    llvm::BasicBlock *first = llvm::BasicBlock::Create(ctx, "first", levelFn);
    llvm::BasicBlock *known = llvm::BasicBlock::Create(ctx, "known", levelFn);
    llvm::IRBuilder<> b(entry);
    llvm::LoadInst *level = b.CreateAlignedLoad(i32, cached, llvm::Align(4));
    level->setAtomic(llvm::AtomicOrdering::Monotonic);
    b.CreateCondBr(b.CreateICmpSLT(level, b.getInt32(0)), first, known);
    b.SetInsertPoint(known);
    b.CreateRet(level);
    b.SetInsertPoint(first);
    llvm::Value *found = b.CreateCall(detect);
    b.CreateAlignedStore(found, cached, llvm::Align(4))
        ->setAtomic(llvm::AtomicOrdering::Monotonic);
    b.CreateRet(found);
  }
  setTargetAttributes(*levelFn, baseline);

  llvm::Function *first = m.getFunction(runNames.front());
  auto *run = llvm::Function::Create(first->getFunctionType(),
                                     llvm::GlobalValue::ExternalLinkage,
                                     name + "_run", &m);
  {
    llvm::BasicBlock *entry = llvm::BasicBlock::Create(ctx, "entry", run);
    llvm::IRBuilder<> b(entry);
    llvm::Value *level = b.CreateCall(levelFn);
    llvm::SmallVector<llvm::Value *> args;
    for (llvm::Argument &a : run->args())
      args.push_back(&a);
    llvm::SmallVector<llvm::BasicBlock *> blocks;
    for (auto [i, runName] : llvm::enumerate(runNames)) {
      llvm::Function *version = m.getFunction(runName);
      version->setLinkage(llvm::GlobalValue::InternalLinkage);
      blocks.push_back(llvm::BasicBlock::Create(ctx, runName, run));
      llvm::IRBuilder<> vb(blocks.back());
      vb.CreateCall(version, args);
      vb.CreateRetVoid();
    }
    llvm::SwitchInst *sw = b.CreateSwitch(level, blocks.front());
    for (auto [i, block] : llvm::enumerate(blocks))
      if (i)
        sw->addCase(b.getInt32(i), block);
  }
  setTargetAttributes(*run, baseline);

  // const char *<name>_cpu_version(void)
  auto *nameFn = llvm::Function::Create(llvm::FunctionType::get(ptr, {}, false),
                                        llvm::GlobalValue::ExternalLinkage,
                                        name + "_cpu_version", &m);
  {
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", nameFn));
    llvm::SmallVector<llvm::Constant *> names;
    for (const qopt::CPUVersion &v : versions)
      names.push_back(b.CreateGlobalString(v.name, name + ".version_name"));
    auto *tableType = llvm::ArrayType::get(ptr, names.size());
    auto *table = new llvm::GlobalVariable(
        m, tableType, /*isConstant=*/true, llvm::GlobalValue::PrivateLinkage,
        llvm::ConstantArray::get(tableType, names), name + ".version_names");
    llvm::Value *level = b.CreateCall(levelFn);
    b.CreateRet(b.CreateLoad(
        ptr, b.CreateInBoundsGEP(tableType, table, {b.getInt32(0), level})));
  }
  setTargetAttributes(*nameFn, baseline);
  return run;
}

} // namespace

Error qopt::compileToObject(mlir::ModuleOp module, const AOTOptions &options,
                            StringRef objectPath, StringRef headerPath,
                            AOTSummary *summary) {
  auto func = module.lookupSymbol<mlir::func::FuncOp>(options.entry);
  if (!func || func.isExternal())
    return err("no function '" + options.entry + "' to compile (choose one "
               "with -e)");
  if (!isCIdentifier(options.name))
    return err("--name '" + options.name +
               "' is not a C identifier (letters, digits and '_', starting "
               "with a letter, at most 63 characters, not a keyword)");
  std::vector<CHeaderPort> inputs, outputs;
  auto describe = [&](mlir::Type t, mlir::DictionaryAttr attrs,
                      std::string dflt, std::vector<CHeaderPort> &out) -> Error {
    auto tt = mlir::dyn_cast<mlir::RankedTensorType>(t);
    if (!tt || !cTypeName(tt.getElementType()))
      return err(dflt + " of '" + options.entry +
                 "' must be a ranked tensor of f32, f64 or 8- to 64-bit "
                 "integers");
    if (tt.getRank() > 8)
      return err(dflt + " of '" + options.entry + "' has rank " +
                 Twine(tt.getRank()) + "; the header describes at most 8");
    for (int64_t i = 1; i < tt.getRank(); ++i)
      if (tt.isDynamicDim(i))
        return err(dflt + " has a dynamic non-batch dimension; fix it with "
                          "--input-shape");
    std::string name = dflt;
    if (attrs)
      if (auto n = attrs.getAs<mlir::StringAttr>("onnx.name"))
        name = n.str();
    out.push_back({name, tt.getElementType(),
                   llvm::SmallVector<int64_t>(tt.getShape())});
    if (attrs) {
      if (auto c = attrs.getAs<mlir::IntegerAttr>(
              mlir::qnn::kRowCountResultAttrName))
        out.back().rowCount = c.getInt();
      if (auto a = attrs.getAs<mlir::IntegerAttr>(mlir::qnn::kRowAxisAttrName))
        out.back().rowAxis = a.getInt();
      if (auto c =
              attrs.getAs<mlir::IntegerAttr>(mlir::qnn::kRowCountOfAttrName))
        out.back().countOf = c.getInt();
    }
    return Error::success();
  };
  mlir::FunctionType ft = func.getFunctionType();
  for (unsigned i = 0; i < ft.getNumInputs(); ++i)
    if (Error e = describe(ft.getInput(i), func.getArgAttrDict(i),
                           "input" + std::to_string(i), inputs))
      return e;
  for (unsigned i = 0; i < ft.getNumResults(); ++i)
    if (Error e = describe(ft.getResult(i), func.getResultAttrDict(i),
                           "output" + std::to_string(i), outputs))
      return e;

  if (mlir::failed(mlir::qnn::verifyNoZeroSizedTensors(func)))
    return err("'" + options.entry +
               "' computes on empty tensors (see the error above)");
  // The lowered entry gets a private name: `main` must stay free for C.
  std::string impl = "__qopt_" + options.name + "_entry";
  func.setSymName(impl);
  llvm::InitializeAllTargetInfos();
  llvm::InitializeAllTargets();
  llvm::InitializeAllTargetMCs();
  llvm::InitializeAllAsmPrinters();
  // Inline assembly (the CPUID detection of multi-versioned objects).
  llvm::InitializeAllAsmParsers();
  llvm::Triple triple(options.triple);
  std::string lookupError;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, lookupError);
  if (!target)
    return err("unknown target '" + options.triple + "': " + lookupError);
  std::string cpu = options.cpu.empty() ? "generic" : options.cpu;
  std::string features = options.features;
  bool multi = cpu == "multi";
  if (multi && triple.getArch() != llvm::Triple::x86_64)
    return err("--cpu=multi compiles x86-64 versions (baseline, AVX2, "
               "AVX-512 VNNI, AVX-512 VBMI); for '" +
               options.triple + "' name one CPU");
  if (multi && !features.empty())
    return err("--cpu=multi sets each version's features itself; it takes "
               "no --mattr");
  // --cpu=native: this machine's CPU and features (for a host-triple object
  // that should use everything the build machine has, e.g. AVX-512 VNNI).
  if (cpu == "native") {
    if (llvm::Triple(llvm::sys::getProcessTriple()).getArch() !=
        llvm::Triple(options.triple).getArch())
      return err("--cpu=native needs the host's architecture as --target ('" +
                 llvm::sys::getProcessTriple() + "')");
    cpu = llvm::sys::getHostCPUName().str();
    if (features.empty()) {
      llvm::SubtargetFeatures f;
      for (const auto &[name, on] : llvm::sys::getHostCPUFeatures())
        f.AddFeature(name, on);
      features = f.getString();
    }
  }
  std::vector<CPUVersion> versions =
      multi ? x86Versions() : std::vector<CPUVersion>{{cpu, cpu, features}};

  // Each version lowered and optimized for its CPU, then linked into one
  // module; a multi-versioned object's code generation starts from the
  // baseline, and every function keeps its version's target attributes.
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule;
  std::unique_ptr<llvm::TargetMachine> tm;
  std::vector<std::string> runNames;
  for (const CPUVersion &version : versions) {
    auto versionTM =
        createTargetMachine(*target, triple, version.cpu, version.features);
    if (!versionTM)
      return versionTM.takeError();
    std::string runName =
        options.name + "_run" + (multi ? "." + version.name : "");
    mlir::OwningOpRef<mlir::ModuleOp> copy;
    if (multi)
      copy = module.clone();
    std::string instructions;
    auto lowered =
        lowerForCPU(multi ? *copy : module, **versionTM, impl, runName, options,
                    inputs, outputs, llvmContext, instructions);
    if (summary && !multi)
      summary->instructions = instructions;
    if (!lowered)
      return lowered.takeError();
    runNames.push_back(runName);
    if (!llvmModule) {
      llvmModule = std::move(*lowered);
      tm = std::move(*versionTM);
    } else if (llvm::Linker::linkModules(*llvmModule, std::move(*lowered))) {
      return err("cannot link the CPU versions of the model");
    }
  }
  llvm::Type *ptr = llvm::PointerType::getUnqual(llvmContext);
  llvm::Type *i64 = llvm::Type::getInt64Ty(llvmContext);
  llvm::Function *runFn = llvmModule->getFunction(options.name + "_run");
  if (multi) {
    runFn = emitDispatcher(*llvmModule, *tm, options.name, versions, runNames);
    mergeIdenticalConstants(*llvmModule);
  }

  auto *packedFn = llvm::Function::Create(
      llvm::FunctionType::get(llvm::Type::getVoidTy(llvmContext),
                              {ptr, ptr, i64}, false),
      llvm::GlobalValue::ExternalLinkage, options.name + "_run_packed",
      llvmModule.get());
  {
    llvm::IRBuilder<> b(
        llvm::BasicBlock::Create(llvmContext, "entry", packedFn));
    llvm::SmallVector<llvm::Value *> args;
    for (unsigned i = 0; i < inputs.size(); ++i)
      args.push_back(b.CreateLoad(
          ptr, b.CreateConstGEP1_64(ptr, packedFn->getArg(0), i)));
    for (unsigned i = 0; i < outputs.size(); ++i)
      args.push_back(b.CreateLoad(
          ptr, b.CreateConstGEP1_64(ptr, packedFn->getArg(1), i)));
    args.push_back(packedFn->getArg(2));
    b.CreateCall(runFn, args);
    b.CreateRetVoid();
  }
  setTargetAttributes(*packedFn, *tm);

  llvm::SmallString<0> object;
  {
    llvm::raw_svector_ostream obj(object);
    llvm::legacy::PassManager codegen;
    if (tm->addPassesToEmitFile(codegen, obj, nullptr,
                                llvm::CodeGenFileType::ObjectFile))
      return err("the target cannot emit object files");
    codegen.run(*llvmModule);
  }
  // Both files are written whole or not at all; the header is rendered
  // first so that a failure leaves neither behind.
  std::string header;
  if (!headerPath.empty()) {
    CHeaderSpec spec;
    spec.prefix = options.name;
    spec.sourceName = options.sourceName;
    spec.triple = options.triple;
    spec.cpu = multi ? "multi" : cpu;
    if (multi)
      for (const CPUVersion &v : versions)
        spec.cpuVersions.push_back(v.name);
    spec.threads = options.threads;
    spec.inputs = std::move(inputs);
    spec.outputs = std::move(outputs);
    llvm::raw_string_ostream h(header);
    writeCHeader(h, spec);
  }
  if (Error e = writeOutputFile(objectPath, object.str(), /*binary=*/true))
    return e;
  if (summary) {
    summary->cpu = multi ? "multi" : cpu;
    if (multi) {
      summary->instructions = "versions";
      for (auto [i, v] : llvm::enumerate(versions))
        summary->instructions += (i ? ", " : " ") + v.name;
    }
    summary->objectBytes = object.size();
  }
  if (headerPath.empty())
    return Error::success();
  if (Error e = writeOutputFile(headerPath, header, /*binary=*/false)) {
    // An object without its header is half a result: remove it (only a
    // regular file: never a device such as /dev/null written in place).
    if (llvm::sys::fs::is_regular_file(objectPath))
      llvm::sys::fs::remove(objectPath);
    return e;
  }
  return Error::success();
}
