import Foundation

/// SSIM (Wang et al. 2004) between two images, as psgan compare reports it.
///
/// The exact reading: an 11 x 11 Gaussian window (sigma 1.5, normalised over its 121 taps), constants
/// `C1 = (0.01 L)^2` and `C2 = (0.03 L)^2` with `L = 255`, population (not sample) variances, and the
/// mean of the SSIM map over every position where the window lies wholly inside the image. This is
/// what scikit-image's `structural_similarity(..., gaussian_weights=True, sigma=1.5,
/// use_sample_covariance=False, data_range=255)` computes (it filters the whole image, then crops the
/// 5-pixel border before averaging), and the tests check it against that function's values.
///
/// On colour images SSIM is taken either on BT.601 luma (`Y = 0.299 R + 0.587 G + 0.114 B`, not
/// rounded) or on each RGB channel, averaging the three.
public enum StructuralSimilarity {
    /// Which signal SSIM is computed on.
    public enum Channels: String, CaseIterable, Sendable {
        /// BT.601 luma.
        case luma
        /// Red, green and blue separately, averaged.
        case rgb
    }

    /// Window radius: taps from -5 to 5.
    static let radius = 5

    /// The normalised 1D Gaussian taps (sigma 1.5); the 2D window is their outer product.
    static let taps: [Double] = {
        let raw = (-radius...radius).map { x -> Double in
            let d = Double(x)
            return exp(-(d * d) / (2 * 1.5 * 1.5))
        }
        let sum = raw.reduce(0, +)
        return raw.map { $0 / sum }
    }()

    /// SSIM of two images of the same size, or nil when they are smaller than the 11 x 11 window.
    public static func index(_ a: RGBImage, _ b: RGBImage, channels: Channels) -> Double? {
        precondition(a.width == b.width && a.height == b.height, "SSIM of images of different sizes")
        let planesA = planes(of: a, channels), planesB = planes(of: b, channels)
        var total = 0.0
        for (x, y) in zip(planesA, planesB) {
            guard let value = index(x, y, width: a.width, height: a.height) else { return nil }
            total += value
        }
        return total / Double(planesA.count)
    }

    /// SSIM of two single-channel planes (values on a 0...255 scale).
    public static func index(_ x: [Double], _ y: [Double], width: Int, height: Int) -> Double? {
        let size = 2 * radius + 1
        guard width >= size, height >= size else { return nil }
        let c1 = (0.01 * 255) * (0.01 * 255), c2 = (0.03 * 255) * (0.03 * 255)
        // Separable filtering of x, y, x^2, y^2, xy: horizontal pass over valid columns, then vertical.
        let outWidth = width - 2 * radius, outHeight = height - 2 * radius
        func horizontal(_ f: (Int) -> Double) -> [Double] {
            var out = [Double](repeating: 0, count: outWidth * height)
            for row in 0..<height {
                for col in 0..<outWidth {
                    var sum = 0.0
                    for t in 0..<size { sum += taps[t] * f(row * width + col + t) }
                    out[row * outWidth + col] = sum
                }
            }
            return out
        }
        func vertical(_ h: [Double]) -> [Double] {
            var out = [Double](repeating: 0, count: outWidth * outHeight)
            for row in 0..<outHeight {
                for col in 0..<outWidth {
                    var sum = 0.0
                    for t in 0..<size { sum += taps[t] * h[(row + t) * outWidth + col] }
                    out[row * outWidth + col] = sum
                }
            }
            return out
        }
        let mx = vertical(horizontal { x[$0] })
        let my = vertical(horizontal { y[$0] })
        let mxx = vertical(horizontal { x[$0] * x[$0] })
        let myy = vertical(horizontal { y[$0] * y[$0] })
        let mxy = vertical(horizontal { x[$0] * y[$0] })
        var total = 0.0
        for i in mx.indices {
            let vx = mxx[i] - mx[i] * mx[i], vy = myy[i] - my[i] * my[i], vxy = mxy[i] - mx[i] * my[i]
            let numerator = (2 * mx[i] * my[i] + c1) * (2 * vxy + c2)
            let denominator = (mx[i] * mx[i] + my[i] * my[i] + c1) * (vx + vy + c2)
            total += numerator / denominator
        }
        return total / Double(mx.count)
    }

    /// The planes SSIM is computed on.
    static func planes(of image: RGBImage, _ channels: Channels) -> [[Double]] {
        let count = image.width * image.height
        let p = image.pixels
        switch channels {
        case .luma:
            return [(0..<count).map { i -> Double in
                let r = Double(p[3 * i]), g = Double(p[3 * i + 1]), b = Double(p[3 * i + 2])
                return 0.299 * r + 0.587 * g + 0.114 * b
            }]
        case .rgb:
            return (0..<3).map { c in (0..<count).map { Double(p[3 * $0 + c]) } }
        }
    }
}
