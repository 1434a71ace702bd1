/// An 8-bit RGB image, packed row-major: three bytes (red, green, blue) per pixel.
///
/// This is what the generator hands to the video encoder and what the tests compare against
/// decoded frames.
public struct RGBImage: Hashable, Sendable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// `width * height * 3` bytes, row by row, `r g b` per pixel.
    public var pixels: [UInt8]
    /// The figure's coverage, `width * height` bytes (0 background, 255 figure), when the generator
    /// that drew the image has a coverage channel; the matte then is this, not a guess from the colours.
    public var coverage: [UInt8]?

    /// Wraps packed RGB bytes; `pixels.count` must be `width * height * 3`.
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0 && pixels.count == width * height * 3,
                     "RGBImage: \(pixels.count) bytes for \(width)x\(height)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// An image of the given size filled with one colour.
    public init(width: Int, height: Int, filledWith color: (UInt8, UInt8, UInt8)) {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for p in 0 ..< width * height {
            pixels[p * 3] = color.0
            pixels[p * 3 + 1] = color.1
            pixels[p * 3 + 2] = color.2
        }
        self.init(width: width, height: height, pixels: pixels)
    }

    /// A black image of the given size.
    public init(width: Int, height: Int) {
        self.init(width: width, height: height, pixels: [UInt8](repeating: 0, count: width * height * 3))
    }
}
