//===- DataMovementExternalModels.cpp - Upstream data movement ops --------===//
//
// Part of qopt. The importer emits upstream tensor ops for Slice, Split,
// Squeeze and Unsqueeze; as external models of DataMovementOpInterface they
// quantize like qnn.reshape, with no list of them inside the passes.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/IR/QNN.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"

using namespace mlir;

namespace {
/// The moved operand is the source (operand 0); the others are sizes.
template <typename OpTy>
struct SourceMoves
    : qnn::DataMovementOpInterface::ExternalModel<SourceMoves<OpTy>, OpTy> {
  OpOperand &getMovedOperand(Operation *op) const {
    return op->getOpOperand(0);
  }
};
} // namespace

void qnn::registerDataMovementExternalModels(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, tensor::TensorDialect *) {
    tensor::ExtractSliceOp::attachInterface<
        SourceMoves<tensor::ExtractSliceOp>>(*ctx);
    tensor::ExpandShapeOp::attachInterface<
        SourceMoves<tensor::ExpandShapeOp>>(*ctx);
    tensor::CollapseShapeOp::attachInterface<
        SourceMoves<tensor::CollapseShapeOp>>(*ctx);
  });
}
