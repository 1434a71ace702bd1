import Foundation

/// What becomes of each generated frame before the sink: upscaling, the matte, and compositing over
/// a background — the stages between ``Renderer`` and ``VideoWriter``.
///
/// Frames arrive in order on one queue; a video plate is read in step with them.
final class FrameFinisher {
    /// A finished frame, with or without alpha.
    enum Frame {
        case rgb(RGBImage)
        case rgba(RGBAImage)
    }

    /// The background, opened: a colour, a still, or a plate being read.
    private enum Plate {
        case color(UInt8, UInt8, UInt8)
        case still(RGBImage)
        case video(FrameReader, last: RGBImage?)
    }

    let upscaler: Upscaler?
    let matte: Matte?
    let alpha: Bool
    private var plate: Plate?
    let placement: Placement
    /// The size of the frames handed to the sink.
    let outputSize: CanvasSize
    /// The size of the character's frames (after upscaling).
    let characterSize: CanvasSize

    /// Prepares the stages for `side`-pixel generator frames.
    ///
    /// - Throws: for a background that cannot be opened or decoded, or alpha together with a
    ///   background (a composited frame is opaque).
    init(side: Int, upscaler: Upscaler?, alpha: Bool, background: Background?, placement: Placement?) throws {
        self.upscaler = upscaler
        self.alpha = alpha
        let scale = upscaler?.model.scale ?? 1
        characterSize = CanvasSize(side: side * scale)
        matte = alpha || background != nil ? Matte() : nil
        switch background {
        case nil:
            plate = nil
            outputSize = characterSize
        case .color(let r, let g, let b)?:
            plate = .color(r, g, b)
            outputSize = characterSize
        case .image(let url)?:
            let reader = try FrameReader(url: url)
            guard let image = try reader.next() else { throw PSGANError(.input, url: url, problem: "holds no picture") }
            plate = .still(image)
            outputSize = CanvasSize(width: image.width, height: image.height)
        case .video(let url)?:
            let reader = try FrameReader(url: url)
            plate = .video(reader, last: nil)
            outputSize = CanvasSize(width: reader.width, height: reader.height)
        }
        self.placement = placement ?? (outputSize == characterSize
            ? Placement(x: Double(outputSize.width) / 2, y: Double(outputSize.height) / 2, scale: 1)
            : Placement.fitted(side: characterSize.width, in: outputSize))
    }

    /// The finished frame for one generated image.
    func finish(_ image: RGBImage) throws -> Frame {
        let upscaled = upscaler?.upscale(image) ?? image
        guard let matte else { return .rgb(upscaled) }
        let scale = upscaled.width / image.width
        let alphaPlane = Matte.upscaled(matte.alpha(of: image), size: CanvasSize(width: image.width, height: image.height), factor: scale)
        let character = Matte.cutOut(upscaled, alpha: alphaPlane)
        guard let current = plate else { return .rgba(character) }
        let background: RGBImage
        switch current {
        case .color(let r, let g, let b):
            background = RGBImage(width: outputSize.width, height: outputSize.height,
                                  pixels: [UInt8]((0 ..< outputSize.width * outputSize.height).flatMap { _ in [r, g, b] }))
        case .still(let image):
            background = image
        case .video(let reader, let last):
            // Frames in step with the clip; a shorter plate holds its last frame.
            guard let next = try reader.next() ?? last else {
                throw PSGANError(.input, url: reader.url, problem: "holds no frame")
            }
            plate = .video(reader, last: next)
            background = next
        }
        return .rgb(Compositor.composite([(character, placement)], over: background))
    }
}
