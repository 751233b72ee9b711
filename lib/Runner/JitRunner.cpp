//===- JitRunner.cpp - Run qnn modules through the ExecutionEngine --------===//
//
// Part of qopt. After qopt-lower-to-llvm (with out-params) the entry takes
// every input and then every output as a memref; the ExecutionEngine's
// packed wrapper takes a pointer to each scalar of the expanded memref
// descriptors (allocated, aligned, offset, sizes..., strides...).
//
//===----------------------------------------------------------------------===//

#include "qopt/Runner/JitRunner.h"
#include "qopt/Support/MemoryLimit.h"
#include "qopt/Dialect/QNN/Utils/TensorUtils.h"

#include "qopt/Dialect/QNN/Utils/RowCounts.h"
#include "qopt/Dialect/QNN/Utils/ShapeOrigin.h"
#include "qopt/Pipelines/Pipelines.h"
#include "qopt/Runner/RuntimeSymbols.h"
#include "qopt/Support/Sizes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/Target/TargetMachine.h"

#include <cstdlib>
#include <cstring>
#include <unistd.h>

using namespace mlir;
using llvm::Error;
using llvm::Expected;
using llvm::Twine;
using llvm::StringRef;
using llvm::ArrayRef;
using llvm::SmallVector;
using llvm::raw_string_ostream;
using qopt::NpyArray;
using qopt::NpyDType;

static Error err(const Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg.str());
}

std::optional<NpyDType> qopt::npyDTypeOf(Type t) {
  if (t.isF32())
    return NpyDType::F32;
  if (t.isF64())
    return NpyDType::F64;
  if (t.isF16())
    return NpyDType::F16;
  // NumPy has no bfloat16: such arrays travel as their uint16 bit patterns
  // (what onnx.numpy_helper gives for them too).
  if (t.isBF16())
    return NpyDType::U16;
  if (auto i = dyn_cast<IntegerType>(t)) {
    bool u = i.isUnsigned();
    switch (i.getWidth()) {
    case 1:
      return NpyDType::Bool;
    case 8:
      return u ? NpyDType::U8 : NpyDType::I8;
    case 16:
      return u ? NpyDType::U16 : NpyDType::I16;
    case 32:
      return u ? NpyDType::U32 : NpyDType::I32;
    case 64:
      return u ? NpyDType::U64 : NpyDType::I64;
    }
  }
  return std::nullopt;
}

static std::string dtypeName(NpyDType t) { return qopt::npyDTypeName(t).str(); }

static std::string npyShapeString(ArrayRef<int64_t> shape) {
  std::string s = "(";
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (i)
      s += ", ";
    s += d == ShapedType::kDynamic ? "N" : std::to_string(d);
  }
  return s + ")";
}

qopt::CompiledModel::~CompiledModel() = default;

uint64_t qopt::defaultMemoryLimit() { return processMemoryLimit(); }

/// Bytes per element of a tensor the lowering will allocate.
static int64_t elementBytes(Type t) {
  if (auto q = dyn_cast<quant::QuantizedType>(t))
    t = q.getStorageType();
  if (t.isIntOrFloat())
    return std::max<int64_t>(1, (t.getIntOrFloatBitWidth() + 7) / 8);
  return 8; // index and anything else: a machine word
}

namespace {
/// Static memory footprint of a function's tensors: fixed bytes, bytes per
/// sample of a dynamic leading dimension, and the largest tensor.
struct Footprint {
  uint64_t fixed = 0, perSample = 0, largest = 0;
  std::string largestName;
  bool overflow = false;

  void add(Value v) {
    auto t = dyn_cast<RankedTensorType>(v.getType());
    if (!t)
      return;
    std::optional<int64_t> bytes =
        qopt::checkedByteSize(t.getShape(), elementBytes(t.getElementType()));
    if (!bytes) {
      overflow = true;
      note(v, UINT64_MAX);
      return;
    }
    bool perBatch = t.getRank() > 0 && t.isDynamicDim(0);
    uint64_t &sum = perBatch ? perSample : fixed;
    if (__builtin_add_overflow(sum, (uint64_t)*bytes, &sum))
      overflow = true;
    note(v, *bytes);
  }

  void note(Value v, uint64_t bytes) {
    if (bytes <= largest && !largestName.empty())
      return;
    largest = bytes;
    Location loc = v.getLoc();
    if (auto arg = dyn_cast<BlockArgument>(v))
      loc = arg.getOwner()->getParentOp()->getLoc();
    largestName.clear();
    if (auto name = dyn_cast<NameLoc>(loc))
      largestName = name.getName().str();
    else if (Operation *op = v.getDefiningOp())
      largestName = op->getName().getStringRef().str();
    else
      largestName = "an input";
  }
};
} // namespace

std::optional<uint64_t> qopt::CompiledModel::memoryNeeded(int64_t batch) const {
  uint64_t total;
  if (__builtin_mul_overflow(bytesPerSample, (uint64_t)std::max<int64_t>(1, batch),
                             &total) ||
      __builtin_add_overflow(total, fixedBytes, &total))
    return std::nullopt;
  return total;
}

Error qopt::CompiledModel::checkMemory(int64_t batch) const {
  std::optional<uint64_t> need = memoryNeeded(batch);
  if (need && *need <= memoryLimit)
    return Error::success();
  return err("running '" + entry + "'" +
             (bytesPerSample ? " on a batch of " + Twine(batch) : Twine()) +
             " needs up to " +
             (need ? formatBytes(*need) : std::string("more than 2^64 bytes")) +
             " of tensors (the largest, '" + largestTensor + "', " +
             formatBytes(largestBytes) + "), above the limit of " +
             formatBytes(memoryLimit) +
             "; " + kMemoryLimitAdvice);
}

Expected<std::unique_ptr<qopt::CompiledModel>>
qopt::CompiledModel::compile(ModuleOp module, StringRef entry,
                             bool vectorize, StringRef dotProduct,
                             uint64_t memoryLimit, unsigned threads,
                             bool profile) {
  auto func = module.lookupSymbol<func::FuncOp>(entry);
  if (!func || func.isExternal())
    return err("no function '" + entry + "' to run in the module (choose one "
               "with -e)");
  if (failed(qnn::verifyNoZeroSizedTensors(func)))
    return err("'" + entry + "' computes on empty tensors (see the error "
               "above)");
  std::unique_ptr<CompiledModel> model(new CompiledModel());
  model->entry = entry.str();
  // An output dimension other than 0 is the batch if it provably is a copy
  // of an input's dynamic dimension 0.
  Value resultValue;
  auto isInputBatch = [&](Value v, int64_t d) {
    auto origin = qnn::dimensionOrigin(v, d);
    for (BlockArgument arg : func.getArguments()) {
      auto at = dyn_cast<RankedTensorType>(arg.getType());
      if (at && at.getRank() && at.isDynamicDim(0) &&
          origin == std::make_pair(Value(arg), int64_t(0)))
        return true;
    }
    return false;
  };
  auto describe = [&](Type t, DictionaryAttr attrs, std::string dflt,
                      std::vector<TensorSpec> &out) -> Error {
    auto tt = dyn_cast<RankedTensorType>(t);
    auto dt = tt ? npyDTypeOf(tt.getElementType()) : std::nullopt;
    if (!tt || !dt)
      return err("'" + entry + "' takes or returns " + dflt + " of type " +
                 [&] {
                   std::string s;
                   raw_string_ostream os(s);
                   os << t;
                   return s;
                 }() +
                 "; qopt-run handles ranked tensors of f16, f32, f64, i1, "
                 "i8/16/32/64 and ui8/16/32/64");
    int64_t batchDim = tt.getRank() && tt.isDynamicDim(0) ? 0 : -1;
    for (int64_t i = 1; i < tt.getRank(); ++i) {
      if (!tt.isDynamicDim(i))
        continue;
      if (batchDim < 0 && resultValue && isInputBatch(resultValue, i)) {
        batchDim = i;
        continue;
      }
      return err(dflt + " of '" + entry +
                 "' has a dynamic dimension (" + Twine(i) +
                 ") that is not the inputs' batch");
    }
    std::string name = dflt;
    if (attrs)
      if (auto n = attrs.getAs<StringAttr>("onnx.name"))
        name = n.str();
    out.push_back({name, *dt, SmallVector<int64_t>(tt.getShape()), batchDim});
    if (attrs) {
      if (auto c = attrs.getAs<IntegerAttr>(qnn::kRowCountResultAttrName))
        out.back().rowCount = c.getInt();
      if (auto a = attrs.getAs<IntegerAttr>(qnn::kRowAxisAttrName))
        out.back().rowAxis = a.getInt();
      if (auto c = attrs.getAs<IntegerAttr>(qnn::kRowCountOfAttrName))
        out.back().countOf = c.getInt();
    }
    return Error::success();
  };
  FunctionType ft = func.getFunctionType();
  for (unsigned i = 0; i < ft.getNumInputs(); ++i)
    if (Error e = describe(ft.getInput(i), func.getArgAttrDict(i),
                           "input " + std::to_string(i), model->inputSpecs))
      return std::move(e);
  auto ret = dyn_cast<func::ReturnOp>(func.getBody().front().getTerminator());
  for (unsigned i = 0; i < ft.getNumResults(); ++i) {
    resultValue = ret && i < ret.getNumOperands() ? ret.getOperand(i) : Value();
    if (Error e = describe(ft.getResult(i), func.getResultAttrDict(i),
                           "output " + std::to_string(i), model->outputSpecs))
      return std::move(e);
  }
  resultValue = Value();

  // Size every tensor before lowering: a few bytes of model can describe
  // terabytes of intermediates, which must not reach LLVM or malloc.
  Footprint footprint;
  for (BlockArgument arg : func.getArguments())
    footprint.add(arg);
  func.walk([&](Operation *op) {
    for (Value r : op->getResults())
      footprint.add(r);
  });
  model->fixedBytes = footprint.overflow ? UINT64_MAX : footprint.fixed;
  model->bytesPerSample = footprint.overflow ? 0 : footprint.perSample;
  model->largestTensor = footprint.largestName;
  model->largestBytes = footprint.largest;
  model->memoryLimit = memoryLimit ? memoryLimit : defaultMemoryLimit();
  if (Error e = model->checkMemory(1))
    return std::move(e);

  OwningOpRef<ModuleOp> lowered = module.clone();
  PassManager pm(module.getContext());
  LowerToLLVMOptions options;
  options.vectorize = vectorize;
  options.threads = threads;
  if (profile)
    options.profileEntry = entry.str();
  llvm::StringMap<bool> hostFeatures = llvm::sys::getHostCPUFeatures();
  chooseTargetInstructions(options,
                           [&](StringRef f) { return hostFeatures.lookup(f); });
  // An explicit --dot-product overrides the host's choice.
  if (!dotProduct.empty()) {
    auto isa = mlir::qcpu::symbolizeDotProductISA(dotProduct);
    if (!isa)
      return err("unknown dot-product instructions '" + dotProduct +
                 "' (expected none, avx512vnni, i8mm or avx2)");
    options.dotProduct = *isa;
  }
  buildLowerToLLVMPipeline(pm, options);
  if (failed(pm.run(*lowered)))
    return err("lowering to LLVM failed (see the diagnostics above)");
  if (Error e = checkRuntimeSymbols(*lowered))
    return std::move(e);
  if (auto names = (*lowered)->getAttrOfType<ArrayAttr>("qopt.profile_marks"))
    for (Attribute n : names)
      model->marks.push_back(cast<StringAttr>(n).str());

  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  // O3 with the host's cost model: without a target machine the loop and
  // SLP vectorizers assume a generic CPU (no AVX) and barely vectorize.
  auto hostBuilder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!hostBuilder)
    return hostBuilder.takeError();
  hostBuilder->setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  auto hostMachine = hostBuilder->createTargetMachine();
  if (!hostMachine)
    return hostMachine.takeError();
  // engineOptions.transformer is a function_ref: keep its target alive.
  llvm::TargetMachine *tm = hostMachine->get();
  auto o3 = makeOptimizingTransformer(3, 0, tm);
  std::function<llvm::Error(llvm::Module *)> optimize =
      [tm, o3](llvm::Module *m) -> llvm::Error {
    // The vectorizers query the subtarget through these attributes.
    for (llvm::Function &f : *m)
      if (!f.isDeclaration()) {
        f.addFnAttr("target-cpu", tm->getTargetCPU());
        f.addFnAttr("target-features", tm->getTargetFeatureString());
      }
    return o3(m);
  };
  ExecutionEngineOptions engineOptions;
  engineOptions.transformer = optimize;
  engineOptions.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
  // Parallel loops call LLVM's OpenMP runtime (__kmpc_fork_call...).
  SmallVector<StringRef, 1> libraries;
  if (threads != 1)
    libraries.push_back(QOPT_OMP_LIBRARY);
  engineOptions.sharedLibPaths = libraries;
  auto engine = ExecutionEngine::create(*lowered, engineOptions);
  if (!engine)
    return engine.takeError();
  model->engine = std::move(*engine);
  model->engine->registerSymbols(checkedAllocationSymbols);
  return std::move(model);
}

bool qopt::CompiledModel::hasRowCounts() const {
  return llvm::any_of(outputSpecs,
                      [](const TensorSpec &s) { return s.rowCount >= 0; });
}

std::vector<qopt::TensorSpec> qopt::CompiledModel::userOutputs() const {
  std::vector<TensorSpec> user;
  for (const TensorSpec &s : outputSpecs)
    if (s.countOf < 0)
      user.push_back(s);
  return user;
}

Expected<std::vector<NpyArray>>
qopt::CompiledModel::userOutputs(std::vector<NpyArray> raw) const {
  if (!hasRowCounts())
    return std::move(raw);
  std::vector<NpyArray> user;
  for (auto [i, spec] : llvm::enumerate(outputSpecs)) {
    if (spec.countOf >= 0)
      continue;
    NpyArray out = std::move(raw[i]);
    if (spec.rowCount >= 0) {
      const NpyArray &c = raw[spec.rowCount];
      int64_t axis = spec.rowAxis, extent = out.shape[axis];
      int64_t rows = c.dtype == NpyDType::I64 && c.numElements() == 1
                         ? c.as<int64_t>()[0]
                         : -1;
      if (rows < 0 || rows > extent)
        return err("output '" + spec.name + "' came with " + Twine(rows) +
                   " rows of at most " + Twine(extent));
      // Keep the first `rows` along `axis`.
      int64_t outer = 1, inner = npyElementSize(out.dtype);
      for (int64_t d = 0; d < axis; ++d)
        outer *= out.shape[d];
      for (int64_t d = axis + 1; d < (int64_t)out.shape.size(); ++d)
        inner *= out.shape[d];
      std::vector<char> data;
      data.reserve(outer * rows * inner);
      for (int64_t o = 0; o < outer; ++o) {
        const char *from = out.data.data() + o * extent * inner;
        data.insert(data.end(), from, from + rows * inner);
      }
      out.data = std::move(data);
      out.shape[axis] = rows;
    }
    user.push_back(std::move(out));
  }
  return user;
}

void qopt::convertFloatInputs(
    ModuleOp module, StringRef entry, std::vector<NpyArray> &data,
    function_ref<void(unsigned, NpyDType)> converted) {
  auto func = module.lookupSymbol<func::FuncOp>(entry);
  if (!func)
    return;
  ArrayRef<Type> types = func.getArgumentTypes();
  for (auto [i, a] : llvm::enumerate(data)) {
    auto tt = i < types.size() ? dyn_cast<RankedTensorType>(types[i])
                               : RankedTensorType();
    if (!tt || !tt.getElementType().isF32() ||
        (a.dtype != NpyDType::F64 && a.dtype != NpyDType::F16))
      continue;
    NpyDType from = a.dtype;
    int64_t n = a.numElements();
    std::vector<char> out(n * sizeof(float));
    float *f = reinterpret_cast<float *>(out.data());
    for (int64_t k = 0; k < n; ++k) {
      if (from == NpyDType::F64) {
        f[k] = static_cast<float>(a.as<double>()[k]);
        continue;
      }
      APFloat h(APFloat::IEEEhalf(), APInt(16, a.as<uint16_t>()[k]));
      bool losesInfo;
      h.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven,
                &losesInfo);
      f[k] = h.convertToFloat();
    }
    a.data = std::move(out);
    a.dtype = NpyDType::F32;
    if (converted)
      converted(i, from);
  }
}

std::vector<std::string> qopt::entryInputNames(ModuleOp module,
                                               StringRef entry) {
  std::vector<std::string> names;
  auto func = module.lookupSymbol<func::FuncOp>(entry);
  if (!func)
    return names;
  for (unsigned i = 0; i < func.getNumArguments(); ++i) {
    auto n = func.getArgAttrOfType<StringAttr>(i, "onnx.name");
    names.push_back(n ? n.str() : "arg" + std::to_string(i));
  }
  return names;
}

int64_t qopt::CompiledModel::staticBatch() const {
  for (const TensorSpec &s : inputSpecs)
    if (!s.shape.empty() && s.shape[0] != ShapedType::kDynamic)
      return s.shape[0];
  return 0;
}

bool qopt::CompiledModel::runsPerSample(ArrayRef<NpyArray> inputs) const {
  if (inputs.empty() || inputs.size() != inputSpecs.size())
    return false;
  for (auto [in, spec] : llvm::zip_equal(inputs, inputSpecs)) {
    if (in.shape.size() != spec.shape.size() + 1 ||
        in.shape[0] != inputs[0].shape[0])
      return false;
    for (auto [d, s] :
         llvm::zip_equal(ArrayRef(in.shape).drop_front(), ArrayRef(spec.shape)))
      if (s != ShapedType::kDynamic && d != s)
        return false;
  }
  return true;
}

int64_t qopt::CompiledModel::sampleCount(ArrayRef<NpyArray> inputs) const {
  return inputs.empty() || inputs[0].shape.empty() ? 1 : inputs[0].shape[0];
}

/// Sample `s` of a per-sample input ([S, ...] -> [...]).
static NpyArray sampleOf(const NpyArray &in, int64_t s) {
  NpyArray one = sliceSamples(in, s, 1, 1);
  one.shape.erase(one.shape.begin());
  return one;
}

std::vector<NpyArray> qopt::CompiledModel::callInputs(ArrayRef<NpyArray> inputs,
                                                      int64_t start,
                                                      int64_t n) const {
  if (runsWhole(inputs))
    return std::vector<NpyArray>(inputs.begin(), inputs.end());
  bool perSample = runsPerSample(inputs);
  int64_t fixed = staticBatch();
  std::vector<NpyArray> call;
  for (const NpyArray &in : inputs)
    call.push_back(perSample ? sampleOf(in, start)
                             : sliceSamples(in, start, n, fixed ? fixed : n));
  return call;
}

Error qopt::CompiledModel::checkInputs(ArrayRef<NpyArray> inputs,
                                       ArrayRef<std::string> names) const {
  if (inputs.size() != inputSpecs.size())
    return err("the model takes " + Twine(inputSpecs.size()) +
               " input(s), got " + Twine(inputs.size()));
  bool perSample = runsPerSample(inputs);
  for (auto [i, in] : llvm::enumerate(inputs)) {
    const TensorSpec &spec = inputSpecs[i];
    // One name per input, or one for all (an .npz or a directory).
    StringRef name = i < names.size() ? StringRef(names[i])
                     : names.empty()  ? StringRef("data")
                                      : StringRef(names.front());
    std::string what = "input " + std::to_string(i) + " ('" + name.str() + "')";
    if (in.dtype != spec.dtype)
      return err(what + " has dtype " + dtypeName(in.dtype) +
                 " but the model's input '" + spec.name + "' expects " +
                 dtypeName(spec.dtype));
    if (perSample)
      continue;
    if (in.shape.size() != spec.shape.size())
      return err(what + " has shape " + npyShapeString(in.shape) +
                 " but the model's input '" + spec.name + "' is " +
                 npyShapeString(spec.shape) + " (first dimension: samples)");
    for (size_t d = 1; d < in.shape.size(); ++d)
      if (in.shape[d] != spec.shape[d]) {
        SmallVector<int64_t> stacked(spec.shape.begin(), spec.shape.end());
        stacked.insert(stacked.begin(), ShapedType::kDynamic);
        return err(what + " has shape " + npyShapeString(in.shape) +
                   " but the model's input '" + spec.name + "' is " +
                   npyShapeString(spec.shape) +
                   " (samples that run one call each go along an extra "
                   "leading axis: " +
                   npyShapeString(stacked) + ")");
      }
    if (!in.shape.empty() && !inputs[0].shape.empty() &&
        in.shape[0] != inputs[0].shape[0] && isBatched())
      return err("all inputs must have the same number of samples (or, for "
                 "inputs that share no batch dimension, give samples along "
                 "an extra leading axis: [samples, <input shape>] each)");
  }
  return Error::success();
}

namespace {
/// Storage for one expanded memref descriptor.
struct Descriptor {
  std::vector<int64_t> fields;
  Descriptor(void *data, ArrayRef<int64_t> shape) {
    fields.push_back(reinterpret_cast<int64_t>(data));
    fields.push_back(reinterpret_cast<int64_t>(data));
    fields.push_back(0);
    fields.insert(fields.end(), shape.begin(), shape.end());
    SmallVector<int64_t> strides(shape.size(), 1);
    for (int64_t i = (int64_t)shape.size() - 2; i >= 0; --i)
      strides[i] = strides[i + 1] * shape[i + 1];
    fields.insert(fields.end(), strides.begin(), strides.end());
  }
};
} // namespace

Error qopt::CompiledModel::runBatch(ArrayRef<const NpyArray *> inputs,
                                    std::vector<NpyArray> &outputs) {
  int64_t batch =
      inputs.empty() || inputs[0]->shape.empty() ? 1 : inputs[0]->shape[0];
  if (Error e = checkMemory(batch))
    return e;
  std::vector<Descriptor> descriptors;
  descriptors.reserve(inputs.size() + outputSpecs.size());
  for (const NpyArray *in : inputs)
    descriptors.emplace_back(const_cast<char *>(in->data.data()), in->shape);
  outputs.clear();
  outputs.resize(outputSpecs.size());
  for (auto [spec, out] : llvm::zip_equal(outputSpecs, outputs)) {
    out.dtype = spec.dtype;
    out.shape = spec.shape;
    if (spec.batchDim >= 0)
      out.shape[spec.batchDim] = batch;
    out.data.assign(out.numElements() * npyElementSize(out.dtype), 0);
    descriptors.emplace_back(out.data.data(), out.shape);
  }
  SmallVector<void *> args;
  for (Descriptor &d : descriptors)
    for (int64_t &f : d.fields)
      args.push_back(&f);
  // A failed allocation inside the model jumps back here (no C++ frames
  // in between: only the JIT-compiled code).
  auto packed = engine->lookupPacked(entry);
  if (!packed)
    return packed.takeError();
  void (*call)(void **) = *packed;
  AllocationScope scope;
  if (setjmp(scope.jumpBuffer)) {
    if (scope.tookUnavailableBranch())
      return err("the model took an If branch that qopt could not compile "
                 "for these input shapes (the importer warned about it); "
                 "compile with the input shapes that branch needs");
    return err("the model could not allocate " +
               formatBytes(scope.failedBytes()) +
               " while running; free memory or lower the batch size");
  }
  call(args.data());
  return Error::success();
}

bool qopt::CompiledModel::isBatched() const {
  return !inputSpecs.empty() && !inputSpecs[0].shape.empty() &&
         inputSpecs[0].shape[0] == ShapedType::kDynamic;
}

bool qopt::CompiledModel::runsWhole(ArrayRef<NpyArray> inputs) const {
  // Data that is exactly the model's static input shapes runs as one call
  // (scalar and unbatched inputs, e.g. a recurrent state next to a window).
  bool exact = !inputs.empty() && inputs.size() == inputSpecs.size();
  for (auto [in, spec] : llvm::zip(inputs, inputSpecs))
    exact &= ArrayRef<int64_t>(in.shape) == ArrayRef<int64_t>(spec.shape);
  return exact;
}

Error qopt::CompiledModel::forEachBatch(
    ArrayRef<NpyArray> inputs, int64_t batchSize,
    llvm::function_ref<Error(std::vector<NpyArray> &, int64_t, int64_t)>
        consume) {
  if (runsWhole(inputs)) {
    SmallVector<const NpyArray *> ptrs;
    for (const NpyArray &in : inputs)
      ptrs.push_back(&in);
    std::vector<NpyArray> outs;
    if (Error e = runBatch(ptrs, outs))
      return e;
    return consume(outs, inputs[0].shape.empty() ? 1 : inputs[0].shape[0], 0);
  }
  if (runsPerSample(inputs)) {
    for (int64_t s = 0, e = sampleCount(inputs); s < e; ++s) {
      std::vector<NpyArray> one = callInputs(inputs, s, 1);
      SmallVector<const NpyArray *> ptrs;
      for (const NpyArray &in : one)
        ptrs.push_back(&in);
      std::vector<NpyArray> outs;
      if (Error e = runBatch(ptrs, outs))
        return err("sample " + Twine(s) + ": " + toString(std::move(e)));
      if (Error e = consume(outs, 1, s))
        return e;
    }
    return Error::success();
  }
  int64_t samples =
      inputs.empty() || inputs[0].shape.empty() ? 1 : inputs[0].shape[0];
  // Batches are slices of every input's leading dimension: all inputs need
  // one, of the same length.
  for (auto [i, in] : llvm::enumerate(inputs))
    if (in.shape.empty() || in.shape[0] != samples)
      return err("input " + llvm::Twine(i) + " has shape " +
                 qopt::shapeString(in.shape) +
                 ", which does not share the leading (batch) dimension of "
                 "input 0; give inputs of exactly the model's shapes to run "
                 "them in one call");
  int64_t fixed = staticBatch();
  if (fixed)
    batchSize = fixed;
  else if (batchSize <= 0)
    batchSize = samples;
  for (int64_t start = 0; start < samples; start += batchSize) {
    int64_t n = std::min(batchSize, samples - start);
    int64_t run = fixed ? fixed : n; // zero-pad a short static batch
    std::vector<NpyArray> chunks;
    for (const NpyArray &in : inputs)
      chunks.push_back(sliceSamples(in, start, n, run));
    SmallVector<const NpyArray *> ptrs;
    for (const NpyArray &chunk : chunks)
      ptrs.push_back(&chunk);
    std::vector<NpyArray> outs;
    if (Error e = runBatch(ptrs, outs))
      return e;
    if (Error e = consume(outs, n, start))
      return e;
  }
  return Error::success();
}

Expected<std::vector<NpyArray>>
qopt::CompiledModel::runDataset(ArrayRef<NpyArray> inputs, int64_t batchSize) {
  // Data that is exactly the model's static input shapes runs as one call
  // (also how scalar and unbatched models run).
  bool exact = !inputs.empty();
  for (auto [in, spec] : llvm::zip_equal(inputs, inputSpecs))
    exact &= ArrayRef<int64_t>(in.shape) == ArrayRef<int64_t>(spec.shape);
  // An output whose batch is not its dimension 0 cannot be concatenated
  // batch by batch: the whole dataset runs as one call.
  bool wholeCall = llvm::any_of(
      outputSpecs, [](const TensorSpec &s) { return s.batchDim > 0; });
  if (hasRowCounts() && !exact && !inputs.empty())
    return err("the model's output sizes depend on the data, so it runs its "
               "inputs in one call: give inputs of exactly its shapes");
  if (runsPerSample(inputs)) {
    // Each output stacked over the samples (which must agree in shape).
    std::vector<NpyArray> results(outputSpecs.size());
    Error e = forEachBatch(
        inputs, 0,
        [&](std::vector<NpyArray> &outs, int64_t, int64_t s) -> Error {
          for (auto [i, out, r] : llvm::enumerate(outs, results)) {
            if (s == 0) {
              r.dtype = out.dtype;
              r.shape.assign(1, 0);
              r.shape.append(out.shape.begin(), out.shape.end());
            } else if (ArrayRef<int64_t>(r.shape).drop_front() !=
                       ArrayRef<int64_t>(out.shape)) {
              return err("output " + Twine(i) + " of sample " + Twine(s) +
                         " has shape " + qopt::shapeString(out.shape) +
                         ", unlike the samples before it");
            }
            r.data.insert(r.data.end(), out.data.begin(), out.data.end());
            ++r.shape[0];
          }
          return Error::success();
        });
    if (e)
      return std::move(e);
    return results;
  }
  if (exact || inputs.empty() || wholeCall) {
    SmallVector<const NpyArray *> ptrs;
    for (const NpyArray &in : inputs)
      ptrs.push_back(&in);
    std::vector<NpyArray> outs;
    if (Error e = runBatch(ptrs, outs))
      return std::move(e);
    return outs;
  }
  std::vector<NpyArray> results(outputSpecs.size());
  for (auto [spec, r] : llvm::zip_equal(outputSpecs, results)) {
    r.dtype = spec.dtype;
    r.shape = spec.shape;
    if (r.shape.empty())
      return err("scalar outputs cannot be batched");
    r.shape[0] = 0;
  }
  Error e = forEachBatch(
      inputs, batchSize,
      [&](std::vector<NpyArray> &outs, int64_t n, int64_t) -> Error {
        for (auto [out, r] : llvm::zip_equal(outs, results)) {
          size_t rowBytes =
              out.data.size() / std::max<int64_t>(1, out.shape[0]);
          r.data.insert(r.data.end(), out.data.begin(),
                        out.data.begin() + n * rowBytes);
          r.shape[0] += n;
        }
        return Error::success();
      });
  if (e)
    return std::move(e);
  return results;
}
