import Foundation

/// Draws COCO-18 poses as OpenPose-style skeletons: coloured limbs and keypoint dots on black.
///
/// The limbs and colours are OpenPose's for COCO-18 (as in its `draw_bodypose`): 17 limbs
/// (neck to shoulders, arms, neck to hips, legs, neck to nose, nose to eyes, eyes to ears), limb
/// `i` in colour `i`, blended at 60 % over what is below; then each keypoint `k` as an opaque dot in
/// colour `k`. Lines and dots are anti-aliased: a pixel is covered by
/// `clamp(r + 0.5 - d, 0, 1)`, `d` its centre's distance to the segment or point, `r` the half width or radius.
public struct SkeletonPainter: Sendable {
    /// OpenPose's COCO-18 limbs as keypoint index pairs (0-based), in its drawing order.
    public static let limbs: [(Int, Int)] = [
        (1, 2), (1, 5), (2, 3), (3, 4), (5, 6), (6, 7), (1, 8), (8, 9), (9, 10),
        (1, 11), (11, 12), (12, 13), (1, 0), (0, 14), (14, 16), (0, 15), (15, 17),
    ]

    /// OpenPose's 18 colours (RGB): limb `i` and keypoint `i` use colour `i`.
    public static let colors: [(UInt8, UInt8, UInt8)] = [
        (255, 0, 0), (255, 85, 0), (255, 170, 0), (255, 255, 0), (170, 255, 0), (85, 255, 0),
        (0, 255, 0), (0, 255, 85), (0, 255, 170), (0, 255, 255), (0, 170, 255), (0, 85, 255),
        (0, 0, 255), (85, 0, 255), (170, 0, 255), (255, 0, 255), (255, 0, 170), (255, 0, 85),
    ]

    /// Image width in pixels.
    public var width: Int
    /// Image height in pixels.
    public var height: Int
    /// Limb thickness in pixels.
    public var lineWidth: Double
    /// Keypoint dot radius in pixels.
    public var dotRadius: Double

    /// A painter for `width x height` images; line width and dot radius default to the image's
    /// shorter side / 64 and / 128 (8 and 4 px at 512, as OpenPose draws), at least 2 and 1.5 px.
    public init(width: Int, height: Int, lineWidth: Double? = nil, dotRadius: Double? = nil) {
        self.width = width
        self.height = height
        let unit = Double(min(width, height)) / 128
        self.lineWidth = lineWidth ?? max(2, 2 * unit)
        self.dotRadius = dotRadius ?? max(1.5, unit)
    }

    /// One frame: `keypoints` in COCO-18 order, in this image's pixel coordinates.
    public func draw(_ keypoints: [Keypoint]) -> RGBImage {
        precondition(keypoints.count == 18, "SkeletonPainter draws COCO-18 poses")
        var pixels = [Float](repeating: 0, count: width * height * 3)
        for (i, (a, b)) in Self.limbs.enumerated() {
            let p = keypoints[a], q = keypoints[b]
            guard p.isPresent, q.isPresent else { continue }
            paint(&pixels, color: Self.colors[i], opacity: 0.6, radius: lineWidth / 2, from: (p.x, p.y), to: (q.x, q.y))
        }
        for (k, p) in keypoints.enumerated() where p.isPresent {
            paint(&pixels, color: Self.colors[k], opacity: 1, radius: dotRadius, from: (p.x, p.y), to: (p.x, p.y))
        }
        return RGBImage(width: width, height: height, pixels: pixels.map { UInt8(max(0, min(255, $0.rounded()))) })
    }

    /// Blends `color` over the capsule of `radius` around the segment `a`-`b`.
    private func paint(_ pixels: inout [Float], color: (UInt8, UInt8, UInt8), opacity: Double, radius: Double,
                       from a: (Double, Double), to b: (Double, Double)) {
        guard a.0.isFinite, a.1.isFinite, b.0.isFinite, b.1.isFinite else { return }
        let reach = radius + 1
        // Clamped before converting, so coordinates far off the image cannot overflow Int.
        func column(_ v: Double) -> Int { Int(min(max(v, -1), Double(width))) }
        func row(_ v: Double) -> Int { Int(min(max(v, -1), Double(height))) }
        let x0 = max(0, column((min(a.0, b.0) - reach).rounded(.down))), x1 = min(width - 1, column((max(a.0, b.0) + reach).rounded(.up)))
        let y0 = max(0, row((min(a.1, b.1) - reach).rounded(.down))), y1 = min(height - 1, row((max(a.1, b.1) + reach).rounded(.up)))
        guard x0 <= x1, y0 <= y1 else { return }
        let dx = b.0 - a.0, dy = b.1 - a.1
        let lengthSquared = dx * dx + dy * dy
        let rgb = [Float(color.0), Float(color.1), Float(color.2)]
        for y in y0...y1 {
            for x in x0...x1 {
                let px = Double(x) + 0.5, py = Double(y) + 0.5
                var t = lengthSquared > 0 ? ((px - a.0) * dx + (py - a.1) * dy) / lengthSquared : 0
                t = min(1, max(0, t))
                let ex = px - (a.0 + t * dx), ey = py - (a.1 + t * dy)
                let coverage = min(1, max(0, radius + 0.5 - (ex * ex + ey * ey).squareRoot()))
                guard coverage > 0 else { continue }
                let w = Float(coverage * opacity)
                let base = (y * width + x) * 3
                for c in 0..<3 { pixels[base + c] = pixels[base + c] * (1 - w) + rgb[c] * w }
            }
        }
    }
}
