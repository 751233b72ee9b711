//===- LocationName.cpp - The name a location speaks for ------------------===//
//
// Part of qopt.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/Utils/LocationName.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Location.h"

using namespace mlir;

std::string qnn::getLocationName(Location loc) {
  if (auto n = dyn_cast<NameLoc>(loc))
    return n.getName().str();
  if (auto f = dyn_cast<FusedLoc>(loc)) {
    std::string all;
    for (Location l : f.getLocations()) {
      std::string s = getLocationName(l);
      if (!s.empty())
        all += (all.empty() ? "" : "+") + s;
    }
    return all;
  }
  if (auto c = dyn_cast<CallSiteLoc>(loc))
    return getLocationName(c.getCallee());
  return "";
}

SmallVector<std::string> qnn::getONNXOpTypes(Operation *op) {
  SmallVector<std::string> types;
  auto module = op->getParentOfType<ModuleOp>();
  auto table = module
                   ? module->getAttrOfType<DictionaryAttr>(kONNXOpTypesAttrName)
                   : DictionaryAttr();
  if (!table)
    return types;
  std::string all = getLocationName(op->getLoc());
  SmallVector<StringRef> names;
  StringRef(all).split(names, '+');
  for (StringRef name : names)
    if (auto t = table.getAs<StringAttr>(name))
      types.push_back(t.str());
  return types;
}
