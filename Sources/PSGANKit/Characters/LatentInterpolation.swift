import Foundation

/// How latents between two keyframed characters are blended.
public enum LatentInterpolation: String, CaseIterable, Sendable {
    /// Straight line: `(1 - t) a + t b`.
    case lerp
    /// Great circle: `(sin((1 - t) w) a + sin(t w) b) / sin(w)`, `w` the angle between `a` and `b`.
    case slerp

    /// Blends `a` and `b` at `t` in [0, 1], in double precision, per the contract.
    ///
    /// Slerp falls back to lerp when the angle is under 1e-6 radians.
    public func blend(_ a: [Float], _ b: [Float], t: Double) -> [Float] {
        precondition(a.count == b.count, "latents of different sizes")
        switch self {
        case .lerp:
            return Self.lerp(a, b, t: t)
        case .slerp:
            var dot = 0.0, normA = 0.0, normB = 0.0
            for i in a.indices {
                let x = Double(a[i]), y = Double(b[i])
                dot += x * y
                normA += x * x
                normB += y * y
            }
            let denominator = (normA * normB).squareRoot()
            guard denominator > 0 else { return Self.lerp(a, b, t: t) }
            let w = acos(min(1, max(-1, dot / denominator)))
            guard w >= 1e-6 else { return Self.lerp(a, b, t: t) }
            let sw = sin(w)
            let ca = sin((1 - t) * w) / sw
            let cb = sin(t * w) / sw
            return Self.float(a.indices.map { ca * Double(a[$0]) + cb * Double(b[$0]) })
        }
    }

    private static func lerp(_ a: [Float], _ b: [Float], t: Double) -> [Float] {
        float(a.indices.map { (1 - t) * Double(a[$0]) + t * Double(b[$0]) })
    }

    /// `values` as floats; a blend of latents near float's limit that would overflow it is scaled
    /// down as a whole first. The generator normalises its latent, so a positive scale of the whole
    /// vector names the same character.
    private static func float(_ values: [Double]) -> [Float] {
        let largest = values.map(abs).max() ?? 0
        let scale = largest > Double(Float.greatestFiniteMagnitude) ? Double(Float.greatestFiniteMagnitude) / largest : 1
        return values.map { Float($0 * scale) }
    }
}
