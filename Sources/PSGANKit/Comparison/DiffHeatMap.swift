/// A heat map of where two frames differ: black where equal, through red and yellow to white.
///
/// Each pixel's value is its largest channel difference `d`, shown at intensity
/// `t = min(1, d / scale)` (default scale 32, so small differences are visible): red rises over the
/// first third, green over the second, blue over the last.
public enum DiffHeatMap {
    /// The heat map of `actual` against `expected` (same size).
    public static func image(expected: RGBImage, actual: RGBImage, scale: Double = 32) -> RGBImage {
        precondition(expected.width == actual.width && expected.height == actual.height)
        let count = expected.width * expected.height
        var pixels = [UInt8](repeating: 0, count: 3 * count)
        for p in 0..<count {
            var d = 0
            for c in 0..<3 { d = max(d, abs(Int(expected.pixels[3 * p + c]) - Int(actual.pixels[3 * p + c]))) }
            guard d > 0 else { continue }
            let t = min(1, Double(d) / scale) * 3
            pixels[3 * p] = UInt8((min(1, t) * 255).rounded())
            pixels[3 * p + 1] = UInt8((min(1, max(0, t - 1)) * 255).rounded())
            pixels[3 * p + 2] = UInt8((min(1, max(0, t - 2)) * 255).rounded())
        }
        return RGBImage(width: expected.width, height: expected.height, pixels: pixels)
    }
}
