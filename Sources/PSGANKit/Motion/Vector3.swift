/// A point or direction in 3D space, in a BVH file's units (Y up).
struct Vector3: Equatable, Sendable {
    var x: Double
    var y: Double
    var z: Double

    static let zero = Vector3(x: 0, y: 0, z: 0)
    static let up = Vector3(x: 0, y: 1, z: 0)

    static func + (a: Vector3, b: Vector3) -> Vector3 { Vector3(x: a.x + b.x, y: a.y + b.y, z: a.z + b.z) }
    static func - (a: Vector3, b: Vector3) -> Vector3 { Vector3(x: a.x - b.x, y: a.y - b.y, z: a.z - b.z) }
    static func * (a: Vector3, s: Double) -> Vector3 { Vector3(x: a.x * s, y: a.y * s, z: a.z * s) }

    /// The dot product.
    func dot(_ b: Vector3) -> Double { x * b.x + y * b.y + z * b.z }

    /// The cross product `self x b` (right-handed).
    func cross(_ b: Vector3) -> Vector3 {
        Vector3(x: y * b.z - z * b.y, y: z * b.x - x * b.z, z: x * b.y - y * b.x)
    }

    /// The Euclidean length.
    var length: Double { dot(self).squareRoot() }

    /// This vector scaled to length 1, or `nil` when it is (nearly) zero.
    var normalized: Vector3? {
        let l = length
        return l > 1e-12 && l.isFinite ? self * (1 / l) : nil
    }
}
