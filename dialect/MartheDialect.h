#ifndef MARTHE_DIALECT_MARTHEDIALECT_H
#define MARTHE_DIALECT_MARTHEDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dialect/MartheDialect.h.inc"

#endif // MARTHE_DIALECT_MARTHEDIALECT_H
