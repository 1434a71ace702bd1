import Foundation

/// How one frame of a render differs from its expected frame.
public struct FrameComparison: Equatable, Sendable {
    /// Zero-based frame number.
    public var index: Int
    /// Peak signal-to-noise ratio in dB on 8-bit RGB (peak 255); `.infinity` for identical frames.
    public var psnr: Double
    /// Structural similarity (see ``StructuralSimilarity``); nil for frames smaller than 11 x 11.
    public var ssim: Double?
    /// Largest absolute difference of any channel of any pixel (0 to 255).
    public var maxDiff: Int
    /// Pixels where at least one channel differs.
    public var differingPixels: Int

    /// Compares `actual` with `expected`; both must have the same size.
    public init(index: Int, expected: RGBImage, actual: RGBImage, ssimChannels: StructuralSimilarity.Channels) {
        precondition(expected.width == actual.width && expected.height == actual.height)
        self.index = index
        var squared = 0.0
        var worst = 0
        var differing = 0
        expected.pixels.withUnsafeBufferPointer { e in
            actual.pixels.withUnsafeBufferPointer { a in
                for p in 0 ..< expected.width * expected.height {
                    var pixelDiffers = false
                    for c in 0..<3 {
                        let d = abs(Int(e[3 * p + c]) - Int(a[3 * p + c]))
                        if d > 0 {
                            pixelDiffers = true
                            squared += Double(d * d)
                            worst = max(worst, d)
                        }
                    }
                    if pixelDiffers { differing += 1 }
                }
            }
        }
        let mse = squared / Double(expected.pixels.count)
        psnr = mse == 0 ? .infinity : 10 * log10(255 * 255 / mse)
        ssim = StructuralSimilarity.index(expected, actual, channels: ssimChannels)
        maxDiff = worst
        differingPixels = differing
    }

    /// Creates a comparison from its figures.
    public init(index: Int, psnr: Double, ssim: Double?, maxDiff: Int, differingPixels: Int) {
        self.index = index
        self.psnr = psnr
        self.ssim = ssim
        self.maxDiff = maxDiff
        self.differingPixels = differingPixels
    }
}
