"""Property test of how the Python module reads arrays (run by
array-conversion.test): for random values and every way NumPy can hold them
-- each dtype qopt reads and some it refuses, both byte orders, strided,
reversed, transposed-then-copied and Fortran-ordered views, subclasses,
nested lists, objects with __array__ -- the model's output either equals the
output on the plain native float32 array or the call raises qopt.Error.
Never a different answer. Prints one summary line per property."""
import os
import sys

import numpy as np
import qopt

src = sys.argv[1]
# y = x + 0 (an Identity-like float model on [N, 4]).
model = qopt.parse("""
func.func @main(%x: tensor<?x4xf32> {onnx.name = "x"}) -> (tensor<?x4xf32> {onnx.name = "y"}) {
  %z = arith.constant dense<0.0> : tensor<4xf32>
  %y = qnn.add %x, %z : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
""")

rng = np.random.default_rng(1234)
checked = refused = 0
failures = []


def expect(value, reference, what):
    """The model on `value` equals the model on `reference`, or refuses."""
    global checked, refused
    try:
        got = model(value)
    except qopt.Error:
        refused += 1
        return
    want = model(np.ascontiguousarray(reference, dtype=np.float32))
    checked += 1
    if got.dtype != want.dtype or got.shape != want.shape or not np.array_equal(got, want):
        failures.append(what)


class Sub(np.ndarray):
    pass


class HasArray:
    def __init__(self, a):
        self.a = a

    def __array__(self, dtype=None, copy=None):
        return self.a if dtype is None else self.a.astype(dtype)


for trial in range(40):
    n = int(rng.integers(1, 6))
    # Small integers: exact in every dtype below.
    base = rng.integers(-100, 100, size=(n, 4)).astype(np.float32)
    for dt in ("f4", "f8", "f2"):
        for order in ("<", ">", "="):
            a = base.astype(order + dt)
            expect(a, base, "dtype %s%s" % (order, dt))
            # Views with strides: every other row of a doubled array,
            # reversed rows, a Fortran-ordered copy, a transposed view.
            big = np.repeat(a, 2, axis=0)
            expect(big[::2], base, "strided %s%s" % (order, dt))
            expect(a[::-1], base[::-1], "reversed %s%s" % (order, dt))
            expect(np.asfortranarray(a), base, "fortran %s%s" % (order, dt))
            expect(np.ascontiguousarray(a.T).T, base, "transposed %s%s" % (order, dt))
    expect(base.view(Sub), base, "subclass")
    expect(np.matrix(base), base, "matrix")
    expect(base.tolist(), base, "nested list")
    expect(HasArray(base), base, "__array__")
    # Dtypes that are refused (or, for integers, converted) but never
    # misread as float32 bytes.
    for dt in ("<i4", ">i4", "<i8", ">i2", "u1", "?", "c8", ">c16", "V16"):
        expect(base.astype(dt) if dt != "V16" else base.view("V16"), base, "dtype " + dt)
    rec = np.zeros(n, dtype=[("a", "<f4", (4,))])
    rec["a"] = base
    expect(rec, base, "structured")
    expect(base.astype(object), base, "object")

try:
    model(np.ma.masked_array(np.ones((1, 4), np.float32), mask=[[1, 0, 0, 0]]))
    failures.append("masked array accepted")
except qopt.Error as e:
    print("masked: %s" % e)

# The reported case: [2, 2, 2, 2] stored big-endian.
print("big-endian [2,2,2,2] -> %s" % model(np.full((1, 4), 2, dtype=">f4")).tolist())
print("checked %d, refused %d, wrong %d" % (checked, refused, len(failures)))
for f in sorted(set(failures)):
    print("WRONG: " + f)
