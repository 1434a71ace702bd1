/// Eight floats at a time: the loads, stores and row sums the numeric loops share (one AVX2 register).
enum Vector8 {
    typealias Value = SIMD8<Float>

    /// Eight floats from `p` (any alignment).
    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> Value {
        UnsafeRawPointer(p).loadUnaligned(as: Value.self)
    }

    /// Writes eight floats at `p` (any alignment).
    @inline(__always) static func store(_ v: Value, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Value.self)
    }

    /// `row[i] += other[i]` for `count` floats.
    static func add(_ other: UnsafePointer<Float>, into row: UnsafeMutablePointer<Float>, count: Int) {
        var p = 0
        while p + 8 <= count {
            store(load(row + p) + load(other + p), row + p)
            p += 8
        }
        while p < count {
            row[p] += other[p]
            p += 1
        }
    }
}
