// RUN: not qopt %s --insert-observers=method=median 2>&1 | FileCheck %s --check-prefix=METHOD
// RUN: not qopt %s "--insert-observers=method-overrides=conv" 2>&1 | FileCheck %s --check-prefix=OVERRIDE
// RUN: not qopt %s "--insert-observers=method-overrides=conv:median" 2>&1 | FileCheck %s --check-prefix=OVERRIDE2

// Options that name a fixed set are enums: the parser names the option.
// METHOD: for the --method option: Cannot find option named 'median'!
module {}
// OVERRIDE: insert-observers: bad override 'conv' (expected NAME_REGEX:METHOD)
// OVERRIDE2: insert-observers: bad override 'conv:median' (expected NAME_REGEX:METHOD)
