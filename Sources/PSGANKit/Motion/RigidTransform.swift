import Foundation

/// A rotation followed by a translation in 3D: `p' = rotation * p + translation`.
///
/// BVH forward kinematics composes these from the root down: a joint's global transform is its
/// parent's global transform times its local one (offset plus position channels, then rotations).
struct RigidTransform: Equatable, Sendable {
    /// Row-major 3x3 rotation matrix.
    var rotation: [Double]
    /// The translation, applied after the rotation.
    var translation: Vector3

    static let identity = RigidTransform(rotation: [1, 0, 0, 0, 1, 0, 0, 0, 1], translation: .zero)

    /// A rotation of `degrees` about one axis (0: X, 1: Y, 2: Z), right-handed.
    static func rotation(axis: Int, degrees: Double) -> RigidTransform {
        let r = degrees * .pi / 180
        let c = cos(r), s = sin(r)
        let m: [Double]
        switch axis {
        case 0: m = [1, 0, 0, 0, c, -s, 0, s, c]
        case 1: m = [c, 0, s, 0, 1, 0, -s, 0, c]
        default: m = [c, -s, 0, s, c, 0, 0, 0, 1]
        }
        return RigidTransform(rotation: m, translation: .zero)
    }

    /// A pure translation.
    static func translation(_ t: Vector3) -> RigidTransform {
        RigidTransform(rotation: identity.rotation, translation: t)
    }

    /// The rotation part applied to `v` (no translation).
    func rotate(_ v: Vector3) -> Vector3 {
        let m = rotation
        return Vector3(x: m[0] * v.x + m[1] * v.y + m[2] * v.z,
                       y: m[3] * v.x + m[4] * v.y + m[5] * v.z,
                       z: m[6] * v.x + m[7] * v.y + m[8] * v.z)
    }

    /// `p` transformed: rotated, then translated.
    func apply(_ p: Vector3) -> Vector3 { rotate(p) + translation }

    /// `self * other`: first `other`, then `self`.
    static func * (a: RigidTransform, b: RigidTransform) -> RigidTransform {
        var m = [Double](repeating: 0, count: 9)
        for i in 0..<3 {
            for j in 0..<3 {
                m[i * 3 + j] = a.rotation[i * 3] * b.rotation[j] + a.rotation[i * 3 + 1] * b.rotation[3 + j]
                    + a.rotation[i * 3 + 2] * b.rotation[6 + j]
            }
        }
        return RigidTransform(rotation: m, translation: a.apply(b.translation))
    }
}
