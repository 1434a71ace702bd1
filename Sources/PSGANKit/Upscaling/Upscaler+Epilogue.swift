import Foundation

/// An element-wise layer run on a convolution's output rows while they are in cache.
enum FusedStep {
    /// `x = x >= 0 ? x : slope * x`, one slope shared by all channels or one per channel.
    case prelu([Float])
    /// `x = x + skip` (the skip map has the same shape).
    case add(UnsafeMutablePointer<Float>)
    /// `x = (tanh(x) + 1) / 2`.
    case tanhToUnit
}

extension Upscaler {
    /// Adds `bias` (when given), then runs `steps` in order, on pixels `pixels` of every channel of
    /// a `[channels, plane]` map; eight pixels at a time, split by channel when `parallel`.
    static func epilogue(_ x: UnsafeMutablePointer<Float>, channels channelCount: Int, bias: [Float]?, steps: [FusedStep],
                         plane: Int, pixels: Range<Int>, parallel: Bool) {
        let n = pixels.count
        let whole = n / 8 * 8
        forEachIndex(channelCount, parallel: parallel && channelCount * n >= 1 << 15) { c in
            let row = x + c * plane + pixels.lowerBound
            if let bias {
                let b = bias[c]
                var p = 0
                while p < whole { WinogradTransforms.store(WinogradTransforms.load(row + p) + b, row + p); p += 8 }
                while p < n { row[p] += b; p += 1 }
            }
            for step in steps {
                switch step {
                case .prelu(let slopes):
                    let slope = slopes[slopes.count == 1 ? 0 : c]
                    var p = 0
                    while p < whole {
                        let v = WinogradTransforms.load(row + p)
                        WinogradTransforms.store(v.replacing(with: slope * v, where: v .< 0), row + p)
                        p += 8
                    }
                    while p < n { let v = row[p]; row[p] = v >= 0 ? v : slope * v; p += 1 }
                case .add(let skip):
                    let other = skip + c * plane + pixels.lowerBound
                    var p = 0
                    while p < whole {
                        WinogradTransforms.store(WinogradTransforms.load(row + p) + WinogradTransforms.load(other + p), row + p)
                        p += 8
                    }
                    while p < n { row[p] += other[p]; p += 1 }
                case .tanhToUnit:
                    for p in 0..<n { row[p] = (tanhf(row[p]) + 1) / 2 }
                }
            }
        }
    }
}
