// RUN: qopt %s --insert-observers=method=median -verify-diagnostics
// RUN: not qopt %s "--insert-observers=method-overrides=conv" 2>&1 | FileCheck %s --check-prefix=OVERRIDE
// RUN: not qopt %s "--insert-observers=method-overrides=conv:median" 2>&1 | FileCheck %s --check-prefix=OVERRIDE2

// expected-error @+1 {{insert-observers: unknown method 'median' (expected minmax, moving_average, percentile, entropy, mse or ksigma)}}
module {}
// OVERRIDE: insert-observers: bad override 'conv' (expected NAME_REGEX:METHOD)
// OVERRIDE2: insert-observers: bad override 'conv:median' (expected NAME_REGEX:METHOD)
