import Foundation

/// Composites characters (RGBA, straight alpha) over a background frame: the compositing stage.
///
/// Each layer is resampled bilinearly with premultiplied colour (so edges carry no fringe) at its
/// ``Placement`` and blended front over back: `out = F·a + B·(1 - a)`.
public enum Compositor {
    /// `layers` (back to front) over `background`, each at its placement.
    public static func composite(_ layers: [(image: RGBAImage, placement: Placement)], over background: RGBImage) -> RGBImage {
        var out = background.pixels.map(Double.init)
        let (width, height) = (background.width, background.height)
        for (layer, place) in layers {
            let half = (w: Double(layer.width) * place.scale / 2, h: Double(layer.height) * place.scale / 2)
            // Clamped while still floating point: a far-off or huge placement must not overflow an Int.
            func pixel(_ value: Double, _ limit: Int) -> Int { Int(min(Double(limit), max(0, value.isNaN ? 0 : value))) }
            let x0 = pixel((place.x - half.w).rounded(.down), width), x1 = pixel((place.x + half.w).rounded(.up), width)
            let y0 = pixel((place.y - half.h).rounded(.down), height), y1 = pixel((place.y + half.h).rounded(.up), height)
            guard x0 < x1, y0 < y1 else { continue }
            for y in y0 ..< y1 {
                let v = (Double(y) + 0.5 - place.y) / place.scale + Double(layer.height) / 2 - 0.5
                for x in x0 ..< x1 {
                    let u = (Double(x) + 0.5 - place.x) / place.scale + Double(layer.width) / 2 - 0.5
                    let (premultiplied, alpha) = sample(layer, u, v)
                    guard alpha > 0 else { continue }
                    let o = (y * width + x) * 3
                    for c in 0 ..< 3 { out[o + c] = premultiplied[c] + out[o + c] * (1 - alpha) }
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: out.map { UInt8(min(255, max(0, $0.rounded()))) })
    }

    /// `layers` (back to front) over a transparent `size` canvas: straight-alpha RGBA, where
    /// `A = a + A_b·(1 - a)` and the colour is the premultiplied sum divided by `A`.
    public static func compositeWithAlpha(_ layers: [(image: RGBAImage, placement: Placement)], size: CanvasSize) -> RGBAImage {
        var colour = [Double](repeating: 0, count: size.width * size.height * 3)
        var coverage = [Double](repeating: 0, count: size.width * size.height)
        for (layer, place) in layers {
            for y in 0 ..< size.height {
                let v = (Double(y) + 0.5 - place.y) / place.scale + Double(layer.height) / 2 - 0.5
                guard v > -1, v < Double(layer.height) else { continue }
                for x in 0 ..< size.width {
                    let u = (Double(x) + 0.5 - place.x) / place.scale + Double(layer.width) / 2 - 0.5
                    guard u > -1, u < Double(layer.width) else { continue }
                    let (premultiplied, alpha) = sample(layer, u, v)
                    guard alpha > 0 else { continue }
                    let p = y * size.width + x
                    for c in 0 ..< 3 { colour[p * 3 + c] = premultiplied[c] + colour[p * 3 + c] * (1 - alpha) }
                    coverage[p] = alpha + coverage[p] * (1 - alpha)
                }
            }
        }
        var pixels = [UInt8](repeating: 0, count: size.width * size.height * 4)
        for p in 0 ..< size.width * size.height where coverage[p] > 0 {
            for c in 0 ..< 3 { pixels[p * 4 + c] = UInt8(min(255, max(0, (colour[p * 3 + c] / coverage[p]).rounded()))) }
            pixels[p * 4 + 3] = UInt8(min(255, (coverage[p] * 255).rounded()))
        }
        return RGBAImage(width: size.width, height: size.height, pixels: pixels)
    }

    /// `layer` over a plain colour at its own size, pixel for pixel.
    public static func composite(_ layer: RGBAImage, overColor color: (UInt8, UInt8, UInt8)) -> RGBImage {
        let background = RGBImage(width: layer.width, height: layer.height, filledWith: color)
        return composite([(layer, Placement(x: Double(layer.width) / 2, y: Double(layer.height) / 2, scale: 1))], over: background)
    }

    /// The premultiplied colour (0...255) and alpha (0...1) of `layer` at (`u`, `v`), bilinear;
    /// transparent outside the layer.
    static func sample(_ layer: RGBAImage, _ u: Double, _ v: Double) -> ([Double], Double) {
        guard u > -1, v > -1, u < Double(layer.width), v < Double(layer.height) else { return ([0, 0, 0], 0) }
        let fu = u.rounded(.down), fv = v.rounded(.down)
        let ix = Int(fu), iy = Int(fv)
        let tx = u - fu, ty = v - fv
        var colour = [0.0, 0.0, 0.0], alpha = 0.0
        for (dx, dy, weight) in [(0, 0, (1 - tx) * (1 - ty)), (1, 0, tx * (1 - ty)), (0, 1, (1 - tx) * ty), (1, 1, tx * ty)] where weight > 0 {
            let sx = ix + dx, sy = iy + dy
            guard sx >= 0, sy >= 0, sx < layer.width, sy < layer.height else { continue }
            let p = (sy * layer.width + sx) * 4
            let a = Double(layer.pixels[p + 3]) / 255 * weight
            alpha += a
            for c in 0 ..< 3 { colour[c] += Double(layer.pixels[p + c]) * a }
        }
        return (colour, alpha)
    }
}
