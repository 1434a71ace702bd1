import Foundation

/// Upscales frames drawn on a flat white background by computing only around what is drawn.
///
/// A convolution's output at a pixel depends only on its input within the kernel's radius, so, layer
/// by layer, the network's maps for a frame equal its maps for an all-white frame of the same size
/// except within (depth x radius) pixels of a pixel that is not white. ``FlatBackground`` computes
/// the white frame's maps once per frame size, then runs each convolution only on boxes around the
/// frame's non-white pixels, grown by one radius per layer, and takes everything else from the white
/// frame's maps and output. The result is the dense run's up to float rounding (a box's Winograd
/// tiles and GEMM sizes are not the whole frame's), which moves an output level by at most one
/// (`UpscalerFlatBackgroundTests`).
///
/// It runs sequential networks (SRVGGNetCompact, `anime-x4`: convolutions, each but the last
/// followed by PReLU, then pixel shuffle plus the nearest-upsampled input) on frames whose maps fit
/// ``budget``; a frame whose boxes would do more than ``denseShare`` of the dense work, or a network
/// of another shape, runs densely (``upscale(_:)`` returns nil).
final class FlatBackground {
    /// A half-open rectangle of input pixels.
    struct Box: Equatable {
        var top, left, bottom, right: Int
        var area: Int { max(0, bottom - top) * max(0, right - left) }

        /// The box grown by `r` pixels each side, clamped to `height` x `width`.
        func grown(by r: Int, height: Int, width: Int) -> Box {
            Box(top: max(0, top - r), left: max(0, left - r), bottom: min(height, bottom + r), right: min(width, right + r))
        }

        func union(_ o: Box) -> Box {
            Box(top: min(top, o.top), left: min(left, o.left), bottom: max(bottom, o.bottom), right: max(right, o.right))
        }

        func intersects(_ o: Box) -> Bool {
            top < o.bottom && o.top < bottom && left < o.right && o.left < right
        }
    }

    /// One convolution and what it applies as it writes (bias, PReLU).
    private struct Step {
        let conv: Conv2D
        let activation: ChannelActivation
    }

    private let steps: [Step]
    private let scale: Int
    /// Most floats the white frame's maps and their working copies may take together (192 MiB).
    static let budget = 48 << 20
    /// Above this share of the dense convolution work, a frame runs densely.
    static let denseShare = 0.7

    private var size: (height: Int, width: Int)?
    private var flatMaps: [UnsafeMutableBufferPointer<Float>] = []
    private var workMaps: [UnsafeMutableBufferPointer<Float>] = []
    private var flatOutput: [UInt8] = []
    /// The boxes each step wrote into its working map for the last frame (restored before the next).
    private var written: [[Box]] = []
    private var cropIn = UnsafeMutableBufferPointer<Float>.allocate(capacity: 0)
    private var cropOut = UnsafeMutableBufferPointer<Float>.allocate(capacity: 0)
    private var columns = UnsafeMutableBufferPointer<Float>.allocate(capacity: 0)

    /// The plan for `model`, or nil when its layers are not a sequential SRVGG-like network.
    init?(model: UpscalerModel) {
        var steps: [Step] = []
        var layers = model.layers[...]
        while case .conv(let conv)? = layers.first {
            layers = layers.dropFirst()
            guard conv.kernel == 3 else { return nil }
            if case .prelu(let slopes)? = layers.first {
                layers = layers.dropFirst()
                steps.append(Step(conv: conv, activation: ChannelActivation(bias: conv.bias, slopes: slopes)))
            } else {
                steps.append(Step(conv: conv, activation: ChannelActivation(bias: conv.bias, slopes: nil)))
                break
            }
        }
        guard steps.count >= 2, layers.count == 2, case .pixelShuffle(let r) = layers.first!, r == model.scale,
              case .addUpsampledInput(let u) = layers.last!, u == model.scale,
              steps.last!.conv.outputChannels == 3 * model.scale * model.scale, steps[0].conv.inputChannels == 3
        else { return nil }
        self.steps = steps
        scale = model.scale
    }

    deinit {
        for map in flatMaps + workMaps { map.deallocate() }
        cropIn.deallocate(); cropOut.deallocate(); columns.deallocate()
    }

    /// Whether frames of this size fit ``budget``.
    func fits(height: Int, width: Int) -> Bool {
        let channels = steps.dropLast().reduce(0) { $0 + $1.conv.outputChannels }
        return 2 * channels * height * width <= Self.budget
    }

    /// The upscaled frame, or nil when this frame should run densely. `dense` upscales a frame the
    /// ordinary way (used once per size, for the white frame's output).
    func upscale(_ image: RGBImage, input: UnsafePointer<Float>, dense: (RGBImage) -> RGBImage) -> RGBImage? {
        let (h, w) = (image.height, image.width)
        guard fits(height: h, width: w) else { return nil }
        let seeds = Self.nonWhiteBoxes(image)
        let plan = steps.indices.map { i in Self.merged(seeds.map { $0.grown(by: i + 1, height: h, width: w) }) }
        let work = zip(steps, plan).reduce(0.0) { sum, pair in
            sum + Double(pair.1.reduce(0) { $0 + $1.grown(by: 1, height: h, width: w).area } * pair.0.conv.inputChannels)
        }
        let whole = steps.reduce(0.0) { $0 + Double(h * w * $1.conv.inputChannels) }
        guard work <= Self.denseShare * whole else { return nil }
        prepare(height: h, width: w, dense: dense)
        restore()
        var pixels = flatOutput
        for (i, step) in steps.enumerated() {
            let source = i == 0 ? input : UnsafePointer(workMaps[i - 1].baseAddress!)
            for box in plan[i] {
                let crop = box.grown(by: 1, height: h, width: w)
                run(step, source: source, height: h, width: w, crop: crop)
                if i + 1 < steps.count {
                    copy(from: cropOut.baseAddress!, crop, into: workMaps[i].baseAddress!, box, channels: step.conv.outputChannels, height: h, width: w)
                } else {
                    finish(crop: crop, box: box, input: input, height: h, width: w, into: &pixels)
                }
            }
            written[i] = i + 1 < steps.count ? plan[i] : []
        }
        return RGBImage(width: w * scale, height: h * scale, pixels: pixels)
    }

    /// The white frame's maps and output for frames of this size (computed on the first frame of a size).
    private func prepare(height h: Int, width w: Int, dense: (RGBImage) -> RGBImage) {
        if let size, size == (h, w) { return }
        for map in flatMaps + workMaps { map.deallocate() }
        let white = RGBImage(width: w, height: h, pixels: [UInt8](repeating: 255, count: 3 * w * h))
        flatOutput = dense(white).pixels
        let whole = Box(top: 0, left: 0, bottom: h, right: w)
        let ones = [Float](repeating: 1, count: 3 * h * w)
        flatMaps = []; workMaps = []
        for (i, step) in steps.dropLast().enumerated() {
            let count = step.conv.outputChannels * h * w
            let flat = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
            ones.withUnsafeBufferPointer { one in
                run(step, source: i == 0 ? one.baseAddress! : UnsafePointer(flatMaps[i - 1].baseAddress!), height: h, width: w, crop: whole)
            }
            flat.baseAddress!.update(from: cropOut.baseAddress!, count: count)
            let work = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
            work.baseAddress!.update(from: flat.baseAddress!, count: count)
            flatMaps.append(flat); workMaps.append(work)
        }
        written = Array(repeating: [], count: steps.count)
        size = (h, w)
    }

    /// Puts the white frame's values back where the last frame wrote.
    private func restore() {
        guard let size else { return }
        for (i, boxes) in written.enumerated() where i < flatMaps.count {
            for box in boxes {
                copy(from: flatMaps[i].baseAddress!, Box(top: 0, left: 0, bottom: size.height, right: size.width),
                     into: workMaps[i].baseAddress!, box, channels: steps[i].conv.outputChannels, height: size.height, width: size.width)
            }
        }
    }

    /// Runs `step` on `crop` of the `[C, h, w]` maps at `source`: the output `[C', crop]` in ``cropOut``.
    private func run(_ step: Step, source: UnsafePointer<Float>, height h: Int, width w: Int, crop: Box) {
        let ch = crop.bottom - crop.top, cw = crop.right - crop.left
        let cin = step.conv.inputChannels, cout = step.conv.outputChannels
        Self.reserve(&cropIn, cin * ch * cw)
        Self.reserve(&cropOut, cout * ch * cw)
        Self.reserve(&columns, step.conv.columnCount(height: ch, width: cw))
        for c in 0..<cin {
            for y in 0..<ch {
                (cropIn.baseAddress! + (c * ch + y) * cw).update(from: source + (c * h + crop.top + y) * w + crop.left, count: cw)
            }
        }
        step.conv.apply(input: cropIn.baseAddress!, height: ch, width: cw, output: cropOut.baseAddress!,
                        columns: columns.baseAddress!, activation: step.activation, epilogue: nil)
    }

    /// Copies `box` of `[channels, crop]` maps at `source` (laid out as `crop`) into full-frame maps.
    private func copy(from source: UnsafePointer<Float>, _ crop: Box, into target: UnsafeMutablePointer<Float>, _ box: Box,
                      channels: Int, height h: Int, width w: Int) {
        let ch = crop.bottom - crop.top, cw = crop.right - crop.left
        for c in 0..<channels {
            for y in box.top..<box.bottom {
                (target + (c * h + y) * w + box.left)
                    .update(from: source + (c * ch + y - crop.top) * cw + box.left - crop.left, count: box.right - box.left)
            }
        }
    }

    /// The last step's output on `box` (in ``cropOut``, laid out as `crop`): pixel shuffle plus the
    /// upsampled input, quantised as ``Upscaler/upscale(_:)`` does, into the 8-bit output.
    private func finish(crop: Box, box: Box, input: UnsafePointer<Float>, height h: Int, width w: Int, into pixels: inout [UInt8]) {
        let s = scale, cw = crop.right - crop.left, plane = (crop.bottom - crop.top) * cw
        let out = cropOut.baseAddress!, outWidth = w * s
        pixels.withUnsafeMutableBufferPointer { dst in
            for y in box.top..<box.bottom {
                for i in 0..<s {
                    let line = dst.baseAddress! + ((y * s + i) * outWidth) * 3
                    for x in box.left..<box.right {
                        let at = (y - crop.top) * cw + x - crop.left
                        for j in 0..<s {
                            for c in 0..<3 {
                                let v = out[(c * s * s + i * s + j) * plane + at] + input[(c * h + y) * w + x]
                                let q = (min(1, max(0, v)) * 255).rounded(.toNearestOrEven)
                                line[(x * s + j) * 3 + c] = q.isNaN ? 0 : UInt8(q)
                            }
                        }
                    }
                }
            }
        }
    }

    private static func reserve(_ buffer: inout UnsafeMutableBufferPointer<Float>, _ count: Int) {
        guard buffer.count < count else { return }
        buffer.deallocate()
        buffer = .allocate(capacity: count)
    }

    // MARK: - Where the frame is not white

    /// Bounding boxes of the frame's non-white pixels: of each group of row runs that touch
    /// (8-connected), so a drawn figure is one box and a stray pixel another.
    static func nonWhiteBoxes(_ image: RGBImage) -> [Box] {
        let (h, w) = (image.height, image.width)
        var boxes: [Box] = []
        image.pixels.withUnsafeBufferPointer { p in
            // Row runs of non-white pixels, one box per run, merged below.
            for y in 0..<h {
                var x = 0
                while x < w {
                    let at = 3 * (y * w + x)
                    if p[at] == 255 && p[at + 1] == 255 && p[at + 2] == 255 { x += 1; continue }
                    var end = x + 1
                    while end < w {
                        let e = 3 * (y * w + end)
                        if p[e] == 255 && p[e + 1] == 255 && p[e + 2] == 255 { break }
                        end += 1
                    }
                    boxes.append(Box(top: y, left: x, bottom: y + 1, right: end))
                    x = end
                }
            }
        }
        // Group runs that touch (one pixel apart, diagonals included).
        var groups: [Box] = []
        for box in boxes {
            var merged = box
            var changed = true
            while changed {
                changed = false
                for (k, g) in groups.enumerated() where g.grown(by: 1, height: h, width: w).intersects(merged) {
                    merged = merged.union(g)
                    groups.remove(at: k)
                    changed = true
                    break
                }
            }
            groups.append(merged)
        }
        return groups
    }

    /// `boxes` with any two that overlap merged into their union when that is no larger than the two.
    static func merged(_ boxes: [Box]) -> [Box] {
        var out = boxes
        var changed = true
        while changed {
            changed = false
            search: for a in out.indices {
                for b in out.indices where b > a && out[a].intersects(out[b]) && out[a].union(out[b]).area <= out[a].area + out[b].area {
                    out[a] = out[a].union(out[b])
                    out.remove(at: b)
                    changed = true
                    break search
                }
            }
        }
        return out
    }
}
