#ifndef MARTHE_PASSES_BUFFERIZABLELIBRARYOPS_H
#define MARTHE_PASSES_BUFFERIZABLELIBRARYOPS_H

#include "mlir/IR/DialectRegistry.h"

namespace marthe {

/// Attaches the BufferizableOpInterface to the library-call ops.
void registerBufferizableLibraryOps(mlir::DialectRegistry &registry);

} // namespace marthe

#endif // MARTHE_PASSES_BUFFERIZABLELIBRARYOPS_H
