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

    let upscaler: Upscaler?
    let matte: Matte?
    let alpha: Bool
    private var plate: BackgroundPlate?
    let placement: Placement
    /// The size of the frames handed to the sink.
    let outputSize: CanvasSize
    /// The size of the character's frames (after upscaling).
    let characterSize: CanvasSize
    /// Characters already upscaled and cut out, by generated frame: a repeated frame is not
    /// upscaled again (``FrameMemo``).
    private let memo = FrameMemo<RGBImage, Frame>(budget: 128 << 20) { frame in
        switch frame {
        case .rgb(let image): image.pixels.count
        case .rgba(let image): image.pixels.count
        }
    }
    /// Frames whose character came from an earlier, identical generated frame.
    var reusedFrames: Int { memo.hits }

    /// Prepares the stages for `side`-pixel generator frames.
    ///
    /// - Throws: for a background that cannot be opened or decoded, or alpha together with a
    ///   background (a composited frame is opaque).
    init(side: Int, upscaler: Upscaler?, alpha: Bool, background: Background?, placement: Placement?, fps: Double? = nil) throws {
        self.upscaler = upscaler
        self.alpha = alpha
        let scale = upscaler?.model.scale ?? 1
        characterSize = CanvasSize(side: side * scale)
        matte = alpha || background != nil ? Matte() : nil
        if let background {
            var opened = try BackgroundPlate(background: background)
            opened.outputFPS = fps
            plate = opened
            outputSize = opened.size ?? characterSize
        } else {
            plate = nil
            outputSize = characterSize
        }
        self.placement = placement ?? (outputSize == characterSize
            ? Placement(x: Double(outputSize.width) / 2, y: Double(outputSize.height) / 2, scale: 1)
            : Placement.fitted(side: characterSize.width, in: outputSize))
    }

    /// The finished frame for one generated image.
    func finish(_ image: RGBImage) throws -> Frame {
        guard upscaler != nil || matte != nil else { return .rgb(image) }
        let character = memo.value(for: image) { self.character(image) }
        guard plate != nil, case .rgba(let cutOut) = character else { return character }
        let background = try plate!.frame(size: outputSize)
        return .rgb(Compositor.composite([(cutOut, placement)], over: background))
    }

    /// The upscaled character, cut out along its matte when there is one.
    private func character(_ image: RGBImage) -> Frame {
        let upscaled = upscaler?.upscale(image) ?? image
        guard let matte else { return .rgb(upscaled) }
        let scale = upscaled.width / image.width
        var alphaPlane = Matte.upscaled(matte.alpha(of: image), size: CanvasSize(width: image.width, height: image.height), factor: scale)
        if scale > 1 && image.coverage == nil {
            // The upscaler draws sharper, thinner edges than the scaled matte: where the upscaled
            // frame itself is background, it wins. (A model's own coverage is upscaled as it is.)
            let sharp = matte.alpha(of: upscaled)
            for p in alphaPlane.indices { alphaPlane[p] = min(alphaPlane[p], sharp[p]) }
        }
        return .rgba(Matte.cutOut(upscaled, alpha: alphaPlane))
    }
}
