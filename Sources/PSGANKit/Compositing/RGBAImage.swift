/// An 8-bit RGBA image with straight (not premultiplied) alpha, packed row-major: `r g b a` per pixel.
///
/// What the matte stage hands to writers that carry alpha (PNG, ProRes 4444, VP9, FFV1) and to the
/// compositor.
public struct RGBAImage: Equatable, Sendable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// `width * height * 4` bytes, row by row.
    public var pixels: [UInt8]

    /// Wraps packed RGBA bytes; `pixels.count` must be `width * height * 4`.
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0 && pixels.count == width * height * 4,
                     "RGBAImage: \(pixels.count) bytes for \(width)x\(height)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// `image` made opaque (alpha 255 everywhere).
    public init(opaque image: RGBImage) {
        var pixels = [UInt8](repeating: 255, count: image.width * image.height * 4)
        for p in 0 ..< image.width * image.height {
            pixels[p * 4] = image.pixels[p * 3]
            pixels[p * 4 + 1] = image.pixels[p * 3 + 1]
            pixels[p * 4 + 2] = image.pixels[p * 3 + 2]
        }
        self.init(width: image.width, height: image.height, pixels: pixels)
    }

    /// The alpha channel alone, one byte per pixel.
    public var alpha: [UInt8] {
        (0 ..< width * height).map { pixels[$0 * 4 + 3] }
    }
}
