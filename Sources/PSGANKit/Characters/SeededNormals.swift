/// The contract's seeded normal generator: SplitMix64 feeding the Box–Muller transform.
///
/// `seed -> values` is fixed forever (see `spec/psgan-model.md`, "Seeded latents"), so a seed names
/// the same character on every machine and every version.
public struct SeededNormals: Sendable {
    private var state: UInt64
    private var spare: Double?

    /// Starts the generator at `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next SplitMix64 output.
    public mutating func nextBits() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var r = state
        r = (r ^ (r >> 30)) &* 0xBF58_476D_1CE4_E5B9
        r = (r ^ (r >> 27)) &* 0x94D0_49BB_1331_11EB
        return r ^ (r >> 31)
    }

    /// The next standard normal value; values come in Box–Muller pairs (cosine, then sine).
    public mutating func next() -> Double {
        if let value = spare {
            spare = nil
            return value
        }
        let u1 = Double(nextBits() >> 11) * 0x1p-53
        let u2 = Double(nextBits() >> 11) * 0x1p-53
        let rho = (-2 * log(1 - u1)).squareRoot()
        spare = rho * sin(2 * Double.pi * u2)
        return rho * cos(2 * Double.pi * u2)
    }

    /// The latent of length `dimension` that `seed` names (float32, as the contract stores it).
    public static func latent(seed: UInt64, dimension: Int) -> [Float] {
        var normals = SeededNormals(seed: seed)
        return (0..<dimension).map { _ in Float(normals.next()) }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
