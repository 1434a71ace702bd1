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
        forEachIndex(channelCount, parallel: parallel && channelCount * n >= 1 << 15) { c in
            let row = x + c * plane + pixels.lowerBound
            if let bias { ChannelActivation.apply(row, count: n, bias: bias[c], slope: nil) }
            for step in steps {
                switch step {
                case .prelu(let slopes):
                    ChannelActivation.apply(row, count: n, bias: nil, slope: slopes[slopes.count == 1 ? 0 : c])
                case .add(let skip):
                    Vector8.add(skip + c * plane + pixels.lowerBound, into: row, count: n)
                case .tanhToUnit:
                    for p in 0..<n { row[p] = (tanhf(row[p]) + 1) / 2 }
                }
            }
        }
    }
}
