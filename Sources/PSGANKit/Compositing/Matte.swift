/// Cuts a rendered character out of its white background: the matte stage.
///
/// psgan's characters are drawn on white with a dark outline, so the background is found, not
/// guessed. A pixel is **background-like** when it is near-white and grey: its whiteness
/// `w = (R + G + B) / 765` is at least ``edge`` and its channels differ by at most ``neutral``
/// (light skin and pastel clothes are near-white too, but not grey) — or when it is at least
/// ``white``, tinted or not. The background is the
/// background-like region **connected to the frame's border** (4-connected flood fill from every
/// border pixel). **Holes** (the gap between arm and body, between the legs) are not connected to
/// the border: every 4-connected region of grey pixels with `w >= white` covering at least
/// ``minimumHoleFraction`` of the frame is background too, grown the same way. A lone pixel whose
/// four neighbours are all background (a tinted speck) is background as well.
///
/// Alpha: 255 outside the background; inside it `a = clamp(1 - w / white)`, so pixels at least
/// ``white`` are fully transparent and the outline's anti-aliased grey ring fades (a pixel mixing a
/// dark outline with white has `w ≈ 1 - coverage`). Colours are decontaminated — the white mixed
/// into an edge pixel is taken out, `F = (C - (1 - a) * 255) / a` — so the figure composites over
/// any background without a white fringe. Limits: a white or light-grey part of the figure that
/// touches the background without outline between (a gap in the outline), or an enclosed white or
/// grey area larger than the hole size (a white shirt), becomes transparent; coloured pixels of the
/// outline's ring stay opaque (a thin fringe of the outline's own colour); a figure drawn on a
/// non-white background gets no matte.
public struct Matte: Sendable {
    /// Whiteness at and above which a background pixel is fully transparent, and hole pixels start (default 0.94).
    public var white: Double
    /// Whiteness down to which the background region grows (default 0.6).
    public var edge: Double
    /// The largest difference between a pixel's channels for it to count as grey (default 32 of 255:
    /// the generator's white has faint tints; light skin differs by 40 and more).
    public var neutral: Int
    /// The smallest enclosed near-white region taken as a hole, as a fraction of the frame (default 0.002).
    public var minimumHoleFraction: Double

    /// A matte with the given thresholds.
    public init(white: Double = 0.94, edge: Double = 0.6, neutral: Int = 32, minimumHoleFraction: Double = 0.002) {
        self.white = white
        self.edge = edge
        self.neutral = neutral
        self.minimumHoleFraction = minimumHoleFraction
    }

    /// The image with its background transparent and edge colours decontaminated.
    public func extract(from image: RGBImage) -> RGBAImage {
        Self.cutOut(image, alpha: alpha(of: image))
    }

    /// The alpha plane (one byte per pixel) of `image`: the generator's own coverage when it drew
    /// one (without its specks: ``withoutSpecks(_:width:height:)``), else found from the colours (below).
    public func alpha(of image: RGBImage) -> [UInt8] {
        if let coverage = image.coverage, coverage.count == image.width * image.height {
            return Self.withoutSpecks(coverage, width: image.width, height: image.height)
        }
        let (width, height) = (image.width, image.height)
        let count = width * height
        let pixels = image.pixels
        var whiteness = [Double](repeating: 0, count: count)
        var grey = [Bool](repeating: false, count: count)
        for p in 0 ..< count {
            let (r, g, b) = (pixels[p * 3], pixels[p * 3 + 1], pixels[p * 3 + 2])
            let low = min(r, g, b), high = max(r, g, b)
            whiteness[p] = (Double(r) + Double(g) + Double(b)) / 765
            grey[p] = Int(high) - Int(low) <= neutral
        }
        // Grey and light enough, or so light that its tint does not matter (the generator's white
        // drifts towards yellow or blue in the corners).
        let passable = (0 ..< count).map { (grey[$0] && whiteness[$0] >= edge) || whiteness[$0] >= white }
        let holeLike = (0 ..< count).map { grey[$0] && whiteness[$0] >= white }

        func flood(_ seeds: [Int], through allowed: [Bool], marking marks: inout [Bool]) -> [Int] {
            Self.flood(seeds, through: allowed, width: width, marking: &marks)
        }

        var background = [Bool](repeating: false, count: count)
        var border: [Int] = []
        for x in 0 ..< width { border += [x, (height - 1) * width + x] }
        for y in 0 ..< height { border += [y * width, y * width + width - 1] }
        _ = flood(border, through: passable, marking: &background)

        // Lone specks (the generator tints its corners): a pixel whose every neighbour is background
        // is background too.
        let lone = (0 ..< count).filter { p in
            guard !background[p] else { return false }
            let x = p % width
            return (x == 0 || background[p - 1]) && (x == width - 1 || background[p + 1])
                && (p < width || background[p - width]) && (p >= count - width || background[p + width])
        }
        for p in lone { background[p] = true }

        // Holes: enclosed near-white grey regions of a useful size, grown like the background.
        let minimumArea = max(4, Int((minimumHoleFraction * Double(count)).rounded(.up)))
        var seen = background
        for start in 0 ..< count where holeLike[start] && !seen[start] {
            let region = flood([start], through: holeLike, marking: &seen)
            if region.count >= minimumArea { _ = flood(region.filter { !background[$0] }, through: passable, marking: &background) }
        }

        var alpha = [UInt8](repeating: 255, count: count)
        for p in 0 ..< count where background[p] {
            alpha[p] = UInt8((min(1, max(0, 1 - whiteness[p] / white)) * 255).rounded())
        }
        return alpha
    }

    /// `image` with `alpha` (one byte per pixel, same size), the white taken out of its partly
    /// transparent pixels: `F = (C - (1 - a) * 255) / a`; fully transparent pixels are black.
    public static func cutOut(_ image: RGBImage, alpha: [UInt8]) -> RGBAImage {
        let count = image.width * image.height
        precondition(alpha.count == count, "Matte.cutOut: \(alpha.count) alpha values for \(image.width)x\(image.height)")
        let pixels = image.pixels
        var out = [UInt8](repeating: 0, count: count * 4)
        for p in 0 ..< count {
            let a = alpha[p]
            guard a > 0 else { continue }
            out[p * 4 + 3] = a
            if a == 255 {
                out[p * 4] = pixels[p * 3]
                out[p * 4 + 1] = pixels[p * 3 + 1]
                out[p * 4 + 2] = pixels[p * 3 + 2]
                continue
            }
            let stored = Double(a) / 255
            for c in 0 ..< 3 {
                let colour = (Double(pixels[p * 3 + c]) - (1 - stored) * 255) / stored
                out[p * 4 + c] = UInt8(min(255, max(0, colour.rounded())))
            }
        }
        return RGBAImage(width: image.width, height: image.height, pixels: out)
    }

    /// The highest value a patch of a model's coverage must reach to be kept (128 of 255: half covered).
    public static let speckPeak: UInt8 = 128

    /// A model's coverage plane with its specks taken out: every 8-connected patch of nonzero
    /// coverage whose highest value is under ``speckPeak`` becomes 0; every other pixel is kept as
    /// it is.
    ///
    /// A drawn part, a hand apart from the arm included, has an opaque core; the faint patches a
    /// generator leaves in the frame's corners and edges (the bundled model's reach 18-20 of 255)
    /// have none, and would show as smudges over a background.
    public static func withoutSpecks(_ coverage: [UInt8], width: Int, height: Int) -> [UInt8] {
        precondition(coverage.count == width * height)
        var result = coverage
        let covered = coverage.map { $0 > 0 }
        var seen = [Bool](repeating: false, count: coverage.count)
        for start in coverage.indices where covered[start] && !seen[start] {
            let patch = flood([start], through: covered, width: width, diagonals: true, marking: &seen)
            if patch.allSatisfy({ coverage[$0] < speckPeak }) { for p in patch { result[p] = 0 } }
        }
        return result
    }

    /// Marks every pixel of a `width`-wide plane reachable from `seeds` through `allowed` pixels
    /// (4-connected, or 8-connected with `diagonals`), skipping those already marked; returns them.
    static func flood(_ seeds: [Int], through allowed: [Bool], width: Int, diagonals: Bool = false,
                      marking marks: inout [Bool]) -> [Int] {
        let count = allowed.count
        var reached: [Int] = []
        var stack: [Int] = []
        for seed in seeds where allowed[seed] && !marks[seed] {
            marks[seed] = true
            stack.append(seed)
        }
        func visit(_ q: Int) {
            if allowed[q] && !marks[q] { marks[q] = true; stack.append(q) }
        }
        while let p = stack.popLast() {
            reached.append(p)
            let x = p % width
            let left = x > 0, right = x < width - 1, up = p >= width, down = p < count - width
            if left { visit(p - 1) }
            if right { visit(p + 1) }
            if up { visit(p - width) }
            if down { visit(p + width) }
            if diagonals {
                if up && left { visit(p - width - 1) }
                if up && right { visit(p - width + 1) }
                if down && left { visit(p + width - 1) }
                if down && right { visit(p + width + 1) }
            }
        }
        return reached
    }

    /// An alpha plane of `size` scaled by a whole `factor` (bilinear, pixel centres aligned), for
    /// the frames an upscaler made from the matted one.
    public static func upscaled(_ alpha: [UInt8], size: CanvasSize, factor: Int) -> [UInt8] {
        guard factor > 1 else { return alpha }
        let (w, h) = (size.width * factor, size.height * factor)
        var out = [UInt8](repeating: 0, count: w * h)
        for y in 0 ..< h {
            let v = min(max((Double(y) + 0.5) / Double(factor) - 0.5, 0), Double(size.height - 1))
            let y0 = Int(v), y1 = min(y0 + 1, size.height - 1), ty = v - Double(y0)
            for x in 0 ..< w {
                let u = min(max((Double(x) + 0.5) / Double(factor) - 0.5, 0), Double(size.width - 1))
                let x0 = Int(u), x1 = min(x0 + 1, size.width - 1), tx = u - Double(x0)
                let top = Double(alpha[y0 * size.width + x0]) * (1 - tx) + Double(alpha[y0 * size.width + x1]) * tx
                let bottom = Double(alpha[y1 * size.width + x0]) * (1 - tx) + Double(alpha[y1 * size.width + x1]) * tx
                out[y * w + x] = UInt8((top * (1 - ty) + bottom * ty).rounded())
            }
        }
        return out
    }
}
