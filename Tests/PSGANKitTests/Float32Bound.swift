import Foundation
@testable import PSGANKit

/// Bounds on float32 rounding error for the numeric tests, derived from the arithmetic rather than
/// fitted to one machine's result, so they hold for whichever kernels OpenBLAS picks (AVX-512, or
/// AVX2 with `OPENBLAS_CORETYPE=Haswell`) and in any summation order.
///
/// The model is the standard probabilistic one (Higham and Mary, "A new approach to probabilistic
/// rounding error analysis", 2019): each float32 operation returns the exact result times (1 + d)
/// with |d| <= u = 2^-24 and the d independent, so a value built from a sum of n terms of random sign
/// carries a relative error of about u * sqrt(n), whatever the order of the sum. The tests' data are
/// independent random values, for which this is the expected size; ``margin`` standard deviations
/// more make a failure by chance negligible, while any real defect (a wrong index, coefficient or
/// tile) changes the result by orders of magnitude more.
enum Float32Bound {
    /// The unit roundoff of float32 (round to nearest).
    static let unitRoundoff = 0x1p-24
    /// How many times the expected error the bounds allow.
    static let margin = 3.0
    /// Roundings along one path through Winograd's transforms: input and output transforms (two
    /// one-dimensional passes of at most five operations each), and the filter transform's one rounding
    /// to float32.
    static let winogradTransformRoundings = 24

    /// Winograd F(4x4, 3x3)'s noise gain: how much larger the relative error of its output is than
    /// that of the transformed-domain products it sums, for independent random data. Errors made in
    /// the 6x6 transformed domain reach output (r, s) through A^T * A with squared coefficients,
    /// weighted by each transformed value's expected square (rows of B^T and G, squared); the signal
    /// is the direct convolution's 9 terms. From the transform matrices (Lavin and Gray, 2016): 10.77.
    static let winogradGain: Double = {
        let bt: [[Double]] = [[4, 0, -5, 0, 1, 0], [0, -4, -4, 1, 1, 0], [0, 4, -4, -1, 1, 0],
                              [0, -2, -1, 2, 1, 0], [0, 2, -1, -2, 1, 0], [0, 4, 0, -5, 0, 1]]
        let g: [[Double]] = [[1.0 / 4, 0, 0], [-1.0 / 6, -1.0 / 6, -1.0 / 6], [-1.0 / 6, 1.0 / 6, -1.0 / 6],
                             [1.0 / 24, 1.0 / 12, 1.0 / 6], [1.0 / 24, -1.0 / 12, 1.0 / 6], [0, 0, 1]]
        let at: [[Double]] = [[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 1]]
        let power = (0 ..< 6).map { p in bt[p].map { $0 * $0 }.reduce(0, +) * g[p].map { $0 * $0 }.reduce(0, +) }
        let perRow = at.map { row in (0 ..< 6).map { row[$0] * row[$0] * power[$0] }.reduce(0, +) }
        let total = perRow.flatMap { r in perRow.map { r * $0 } }.reduce(0, +)
        return (total / (16 * 9)).squareRoot()
    }()

    /// Relative L2 error of a convolution computed directly or by im2col and GEMM: `terms` products
    /// summed per output (input channels x kernel area).
    static func direct(terms: Int) -> Double {
        margin * unitRoundoff * Double(terms).squareRoot()
    }

    /// Relative L2 error of a 3x3 convolution by Winograd F(4x4, 3x3) over `inputChannels`.
    static func winograd(inputChannels: Int) -> Double {
        margin * unitRoundoff * Double(inputChannels + winogradTransformRoundings).squareRoot() * winogradGain
    }

    /// Relative L2 error between two float32 implementations of a network whose layers have the
    /// bounds `layers` each: the layers' errors are independent and add in quadrature, and both
    /// implementations make their own (a factor sqrt 2).
    static func network(_ layers: [Double]) -> Double {
        (2 * layers.map { $0 * $0 }.reduce(0, +)).squareRoot()
    }

    /// ``network(_:)`` for a PSGAN generator (the contract's layers): the dense layer from the
    /// latent, the 4x4 convolution over its features and the pose maps, at each larger scale one over
    /// the upsampled features and the pose maps and one over its own features, and the 1x1 RGB
    /// projection. Every 3x3 convolution is bounded as Winograd, the larger of its two paths.
    static func generator(_ config: GeneratorConfig) -> Double {
        let c4 = config.channels[4] ?? 0
        var layers = [direct(terms: config.latentDim), winograd(inputChannels: c4 + config.keypoints)]
        var previous = c4
        for scale in config.scales.dropFirst() {
            let channels = config.channels[scale] ?? 0
            layers += [winograd(inputChannels: previous + config.keypoints), winograd(inputChannels: channels)]
            previous = channels
        }
        return network(layers + [direct(terms: previous)])
    }

    /// ``network(_:)`` for an upscaler's convolutions (3x3 ones as Winograd).
    static func upscaler(_ model: UpscalerModel) -> Double {
        network(model.layers.compactMap { layer in
            guard case .conv(let conv) = layer else { return nil }
            return conv.kernel == 3 ? winograd(inputChannels: conv.inputChannels) : direct(terms: conv.inputChannels * conv.kernel * conv.kernel)
        })
    }
}
