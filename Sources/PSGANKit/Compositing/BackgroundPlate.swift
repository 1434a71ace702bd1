import Foundation

/// A background opened for compositing: a colour, a still, or a plate read frame by frame.
struct BackgroundPlate {
    private enum Source {
        case color(UInt8, UInt8, UInt8)
        case still(RGBImage)
        case video(FrameReader, last: RGBImage?)
    }
    private var source: Source
    /// The last colour frame made, reused while the size stays.
    private var filled: RGBImage?
    /// The background's own size (nil for a colour).
    let size: CanvasSize?

    /// Opens `background` (nil: white).
    init(background: Background?) throws {
        switch background ?? .color(red: 255, green: 255, blue: 255) {
        case .color(let r, let g, let b):
            source = .color(r, g, b)
            size = nil
        case .image(let url):
            let reader = try FrameReader(url: url)
            try CanvasSize(width: reader.width, height: reader.height).checkOutputLimits(file: PSGANError.displayPath(of: url), kind: .input, what: "picture")
            guard let image = try reader.next() else { throw PSGANError(.input, url: url, problem: "holds no picture") }
            source = .still(image)
            size = CanvasSize(width: image.width, height: image.height)
        case .video(let url):
            let reader = try FrameReader(url: url)
            try CanvasSize(width: reader.width, height: reader.height).checkOutputLimits(file: PSGANError.displayPath(of: url), kind: .input, what: "plate")
            source = .video(reader, last: nil)
            size = CanvasSize(width: reader.width, height: reader.height)
        }
    }

    /// The next background frame (`size` for a colour); a plate shorter than the clip holds its last frame.
    mutating func frame(size: CanvasSize) throws -> RGBImage {
        switch source {
        case .color(let r, let g, let b):
            // Made once per size: every frame of a clip shares it.
            if let filled, filled.width == size.width, filled.height == size.height { return filled }
            filled = RGBImage(width: size.width, height: size.height, filledWith: (r, g, b))
            return filled!
        case .still(let image):
            return image
        case .video(let reader, let last):
            guard let next = try reader.next() ?? last else { throw PSGANError(.input, url: reader.url, problem: "holds no frame") }
            source = .video(reader, last: next)
            return next
        }
    }
}
