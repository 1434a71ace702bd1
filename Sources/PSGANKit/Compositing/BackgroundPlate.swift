import Foundation

/// A background opened for compositing: a colour, a still, or a plate read frame by frame.
struct BackgroundPlate {
    private enum Source {
        case color(UInt8, UInt8, UInt8)
        case still(RGBImage)
        case video(FrameReader, last: RGBImage?, index: Int)
    }
    private var source: Source
    /// The last colour frame made, reused while the size stays.
    private var filled: RGBImage?
    /// The background's own size (nil for a colour).
    let size: CanvasSize?
    /// The clip's frame rate: a plate with a rate of its own is taken by time, at its own speed
    /// (a 15 fps plate under a 30 fps clip shows each of its frames twice). Nil: one plate frame per
    /// clip frame.
    var outputFPS: Double?
    /// Clip frames served so far.
    private var served = 0

    /// Opens `background` (nil: white).
    init(background: Background?) throws {
        var background = background ?? .color(red: 255, green: 255, blue: 255)
        if case .file(let url) = background { background = try Background.opening(url) }
        switch background {
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
            source = .video(reader, last: nil, index: -1)
            size = CanvasSize(width: reader.width, height: reader.height)
        case .file:
            preconditionFailure("a file background is opened as an image or a video above")
        }
    }

    /// The next clip frame's background (`size` for a colour); a plate shorter than the clip holds
    /// its last frame.
    mutating func frame(size: CanvasSize) throws -> RGBImage {
        switch source {
        case .color(let r, let g, let b):
            // Made once per size: every frame of a clip shares it.
            if let filled, filled.width == size.width, filled.height == size.height { return filled }
            filled = RGBImage(width: size.width, height: size.height, filledWith: (r, g, b))
            return filled!
        case .still(let image):
            return image
        case .video(let reader, var last, var index):
            // The plate frame showing at this clip frame's time.
            var wanted = served
            if let outputFPS, let plateFPS = reader.frameRate, outputFPS > 0, plateFPS > 0 {
                wanted = Int((Double(served) * plateFPS / outputFPS + 1e-6).rounded(.down))
            }
            served += 1
            while index < wanted || last == nil {
                guard let next = try reader.next() else { break }  // a shorter plate holds its last frame
                last = next
                index += 1
            }
            guard let frame = last else { throw PSGANError(.input, url: reader.url, problem: "holds no frame") }
            source = .video(reader, last: frame, index: index)
            return frame
        }
    }
}
