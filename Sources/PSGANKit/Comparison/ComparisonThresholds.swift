/// What a frame must meet to pass: any of a minimum PSNR, a minimum SSIM, a maximum difference.
///
/// With no threshold set, frames must be identical (`maxDiff` 0).
public struct ComparisonThresholds: Equatable, Sendable {
    /// Lowest acceptable PSNR in dB.
    public var minPSNR: Double?
    /// Lowest acceptable SSIM.
    public var minSSIM: Double?
    /// Largest acceptable per-channel difference.
    public var maxDiff: Int?

    /// Thresholds; leaving all three nil asks for identical frames.
    public init(minPSNR: Double? = nil, minSSIM: Double? = nil, maxDiff: Int? = nil) {
        self.minPSNR = minPSNR
        self.minSSIM = minSSIM
        self.maxDiff = maxDiff
    }

    /// True when no threshold is set (identical frames are required).
    public var requiresIdentical: Bool { minPSNR == nil && minSSIM == nil && maxDiff == nil }

    /// The reasons `frame` fails, empty when it passes.
    public func failures(of frame: FrameComparison) -> [String] {
        var reasons: [String] = []
        if requiresIdentical, frame.maxDiff > 0 {
            reasons.append("differs (\(frame.differingPixels) pixels, max diff \(frame.maxDiff))")
        }
        if let minPSNR, !(frame.psnr >= minPSNR) {
            reasons.append("PSNR \(ComparisonReport.format(psnr: frame.psnr)) dB < \(minPSNR)")
        }
        if let minSSIM {
            if let ssim = frame.ssim {
                if !(ssim >= minSSIM) { reasons.append("SSIM \(ComparisonReport.format(ssim: ssim)) < \(minSSIM)") }
            } else {
                reasons.append("SSIM undefined for frames under 11x11")
            }
        }
        if let maxDiff, frame.maxDiff > maxDiff {
            reasons.append("max diff \(frame.maxDiff) > \(maxDiff)")
        }
        return reasons
    }
}
