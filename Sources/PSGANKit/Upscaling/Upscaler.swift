import Foundation

/// Runs an ``UpscalerModel`` on images, tile by tile, with bounded memory.
///
/// Input pixels are floats in [0, 1] (8-bit images are divided by 255); the raw output is what the
/// network computes, before clamping. ``upscale(_:)`` clamps to [0, 1] and quantises with
/// round-half-even of `v * 255`.
///
/// Large images are cut into tiles of ``tileSize`` input pixels; each tile is run with
/// ``UpscalerModel/margin`` pixels of real context on every side (less at the image's edges, where
/// the network's own zero padding applies), and only its centre is kept, so the result equals an
/// untiled run up to float rounding. An upscaler owns scratch buffers reused from tile to tile, so
/// one instance must not run two images at once.
public final class Upscaler {
    /// The network.
    public let model: UpscalerModel
    /// Tile side in input pixels; nil picks one from ``featureBudget`` (see ``automaticTileSize(height:width:)``).
    public let tileSize: Int?

    /// Most floats one feature map of a tile may take when the tile size is automatic (288 MiB).
    ///
    /// Tiles cost their margins twice over (srgan-x4 on a 256x256 frame cut into four tiles does
    /// 1.6 times the work), so the budget lets that case, the largest the benchmark runs, go untiled
    /// in about 730 MB at its peak (a run holds two or three maps of this size plus scratch).
    public static let featureBudget = 72 << 20

    /// The smallest output (floats) a convolution with nothing fused after its activation writes
    /// past the caches: the next layer reads it only after the whole layer is done, by which time
    /// most of it has left the caches anyway, and non-temporal stores skip reading each line first.
    /// (8 MiB: at 256x256 the 64-channel layers' 16 MiB outputs took anime-x4 from 197 to 182 ms
    /// and srgan-x2 from 232 to 224; at 128x128, 4 MiB, it made no difference.)
    static let streamingFloats = 2 << 20

    private var buffers: [UnsafeMutableBufferPointer<Float>] = []
    private var columns = UnsafeMutableBufferPointer<Float>.allocate(capacity: 1)

    /// Prepares an upscaler; `tileSize` (input pixels, at least 1) fixes the tile side.
    public init(model: UpscalerModel, tileSize: Int? = nil) {
        precondition(tileSize.map { $0 > 0 } ?? true, "tile size must be positive")
        self.model = model
        self.tileSize = tileSize
    }

    deinit {
        for buffer in buffers { buffer.deallocate() }
        columns.deallocate()
    }

    /// The output size for an input of `width` x `height`.
    public func outputSize(width: Int, height: Int) -> (width: Int, height: Int) {
        (width * model.scale, height * model.scale)
    }

    /// Floats of the largest feature map per input pixel.
    private var floatsPerPixel: Int {
        var channels = 3, factor = 1, most = 3
        for layer in model.layers {
            switch layer {
            case .conv(let conv): channels = conv.outputChannels
            case .pixelShuffle(let r): channels /= r * r; factor *= r
            default: break
            }
            most = max(most, channels * factor * factor)
        }
        return most
    }

    /// The tile side used when none is given: the whole image if its feature maps fit in
    /// ``featureBudget`` floats, else the largest tile (margins included) that does, at least 16.
    public func automaticTileSize(height: Int, width: Int) -> Int {
        let perPixel = floatsPerPixel
        if height * width * perPixel <= Self.featureBudget { return max(height, width) }
        let side = Int(Double(Self.featureBudget / perPixel).squareRoot())
        return max(16, side - 2 * model.margin)
    }

    // MARK: - Whole images

    /// Upscales an 8-bit image: pixels / 255 in, output clamped to [0, 1] and rounded half to even
    /// of `v * 255`.
    public func upscale(_ image: RGBImage) -> RGBImage {
        let (w, h) = (image.width, image.height)
        var input = [Float](repeating: 0, count: 3 * w * h)
        image.pixels.withUnsafeBufferPointer { src in
            input.withUnsafeMutableBufferPointer { dst in
                let plane = w * h
                for p in 0..<plane {
                    for c in 0..<3 { dst[c * plane + p] = Float(src[3 * p + c]) / 255 }
                }
            }
        }
        let s = model.scale
        let outWidth = w * s
        var pixels = [UInt8](repeating: 0, count: 3 * outWidth * h * s)
        pixels.withUnsafeMutableBufferPointer { out in
            forEachTile(input, height: h, width: w) { tile, tileWidth, tilePlane, rows, cols, y, x in
                for row in rows {
                    let line = out.baseAddress! + ((y + row - rows.lowerBound) * outWidth + x) * 3
                    for (i, col) in cols.enumerated() {
                        for c in 0..<3 {
                            let v = tile[c * tilePlane + row * tileWidth + col]
                            let q = (min(1, max(0, v)) * 255).rounded(.toNearestOrEven)
                            line[3 * i + c] = q.isNaN ? 0 : UInt8(q)
                        }
                    }
                }
            }
        }
        return RGBImage(width: outWidth, height: h * s, pixels: pixels)
    }

    /// The raw network output `[3, H*s, W*s]` for a float image `[3, H, W]`, tiled per ``tileSize``.
    public func upscale(_ input: [Float], height: Int, width: Int) -> [Float] {
        precondition(input.count == 3 * height * width)
        let s = model.scale
        let outWidth = width * s, outPlane = height * s * outWidth
        var output = [Float](repeating: 0, count: 3 * outPlane)
        output.withUnsafeMutableBufferPointer { out in
            forEachTile(input, height: height, width: width) { tile, tileWidth, tilePlane, rows, cols, y, x in
                for c in 0..<3 {
                    for row in rows {
                        let dst = out.baseAddress! + c * outPlane + (y + row - rows.lowerBound) * outWidth + x
                        dst.update(from: tile + c * tilePlane + row * tileWidth + cols.lowerBound, count: cols.count)
                    }
                }
            }
        }
        return output
    }

    /// Runs every tile and hands its kept centre to `sink`: the tile's output planes, its output
    /// width and plane size, the kept rows and columns (tile output coordinates), and where they go
    /// in the whole output (row, column).
    private func forEachTile(_ input: [Float], height: Int, width: Int,
                             sink: (UnsafePointer<Float>, Int, Int, Range<Int>, Range<Int>, Int, Int) -> Void) {
        let tile = tileSize ?? automaticTileSize(height: height, width: width)
        let m = model.margin, s = model.scale
        input.withUnsafeBufferPointer { source in
            for y0 in stride(from: 0, to: height, by: tile) {
                let y1 = min(height, y0 + tile)
                let py0 = max(0, y0 - m), py1 = min(height, y1 + m)
                for x0 in stride(from: 0, to: width, by: tile) {
                    let x1 = min(width, x0 + tile)
                    let px0 = max(0, x0 - m), px1 = min(width, x1 + m)
                    let th = py1 - py0, tw = px1 - px0
                    let result = forward(source.baseAddress!, imageWidth: width, imageHeight: height,
                                         top: py0, left: px0, height: th, width: tw)
                    sink(result, tw * s, th * s * tw * s,
                         (y0 - py0) * s ..< (y1 - py0) * s, (x0 - px0) * s ..< (x1 - px0) * s, y0 * s, x0 * s)
                }
            }
        }
    }

    // MARK: - The network

    /// Makes sure buffer `index` holds at least `count` floats.
    private func reserve(_ index: Int, _ count: Int) -> UnsafeMutableBufferPointer<Float> {
        while buffers.count <= index { buffers.append(.allocate(capacity: 0)) }
        if buffers[index].count < count {
            buffers[index].deallocate()
            buffers[index] = .allocate(capacity: count)
        }
        return buffers[index]
    }

    /// Runs the network on the crop `[top ..< top+height, left ..< left+width]` of a `[3, H, W]`
    /// image; returns the output planes `[3, height*s, width*s]` (valid until the next call).
    ///
    /// Element-wise layers right after a convolution (PReLU, a skip add, the tanh head) run in
    /// its epilogue, on each band of rows while it is in cache. A skip keeps its buffer instead of a
    /// copy; outputs go to buffers no skip holds.
    private func forward(_ image: UnsafePointer<Float>, imageWidth: Int, imageHeight: Int,
                         top: Int, left: Int, height: Int, width: Int) -> UnsafePointer<Float> {
        // Buffer 0 holds the crop; the others are feature maps, some held by the skip stack.
        let crop = reserve(0, 3 * height * width).baseAddress!
        for c in 0..<3 {
            for y in 0..<height {
                (crop + (c * height + y) * width).update(from: image + (c * imageHeight + top + y) * imageWidth + left, count: width)
            }
        }
        var channels = 3, h = height, w = width
        var current = 0
        var skips: [Int] = []
        var popped: [Int] = []
        /// A buffer of `count` floats that is neither the current map nor held by a skip.
        func free(_ count: Int) -> Int {
            var index = 1
            while index == current || skips.contains(index) || popped.contains(index) { index += 1 }
            _ = reserve(index, count)
            return index
        }
        /// The current map, made safe to change in place (copied first if a skip holds it).
        func writable() -> UnsafeMutablePointer<Float> {
            if current == 0 || skips.contains(current) {
                let copy = free(channels * h * w)
                buffers[copy].baseAddress!.update(from: buffers[current].baseAddress!, count: channels * h * w)
                current = copy
            }
            return buffers[current].baseAddress!
        }
        let layers = model.layers
        var index = 0
        while index < layers.count {
            let layer = layers[index]
            index += 1
            switch layer {
            case .conv(let conv):
                // The element-wise layers that follow, fused into this convolution's epilogue.
                var fused: [FusedStep] = []
                fusing: while index < layers.count {
                    switch layers[index] {
                    case .prelu(let slopes): fused.append(.prelu(slopes))
                    case .addSkip:
                        popped.append(skips.removeLast())
                        fused.append(.add(buffers[popped.last!].baseAddress!))
                    case .tanhToUnit: fused.append(.tanhToUnit)
                    default: break fusing
                    }
                    index += 1
                }
                let out = free(conv.outputChannels * h * w)
                let need = conv.columnCount(height: h, width: w)
                if columns.count < need {
                    columns.deallocate()
                    columns = .allocate(capacity: need)
                }
                let output = buffers[out].baseAddress!
                // Bias and a PReLU (or the bias alone) are applied by the convolution as it writes;
                // anything else runs in its epilogue.
                var activation: ChannelActivation?
                if fused.isEmpty {
                    activation = ChannelActivation(bias: conv.bias, slopes: nil)
                } else if fused.count == 1, case .prelu(let slopes) = fused[0] {
                    activation = ChannelActivation(bias: conv.bias, slopes: slopes)
                }
                let input = buffers[current].baseAddress!
                if let activation {
                    conv.apply(input: input, height: h, width: w, output: output, columns: columns.baseAddress!,
                               activation: activation, streaming: conv.outputChannels * h * w >= Self.streamingFloats, epilogue: nil)
                } else {
                    conv.apply(input: input, height: h, width: w, output: output, columns: columns.baseAddress!) { [h, w] rows, parallel in
                        Self.epilogue(output, channels: conv.outputChannels, bias: conv.bias, steps: fused, plane: h * w,
                                      pixels: rows.lowerBound * w ..< rows.upperBound * w, parallel: parallel)
                    }
                }
                current = out
                channels = conv.outputChannels
                popped.removeAll()
            case .prelu(let slopes):
                Self.epilogue(writable(), channels: channels, bias: nil, steps: [.prelu(slopes)], plane: h * w, pixels: 0 ..< h * w, parallel: true)
            case .pushSkip:
                skips.append(current)
            case .addSkip:
                let target = writable()
                let skip = buffers[skips.removeLast()].baseAddress!
                Self.epilogue(target, channels: channels, bias: nil, steps: [.add(skip)], plane: h * w, pixels: 0 ..< h * w, parallel: true)
            case .pixelShuffle(let r):
                let out = free(channels * h * w)
                Self.pixelShuffle(buffers[current].baseAddress!, channels: channels / (r * r), height: h, width: w, factor: r,
                                  into: buffers[out].baseAddress!)
                current = out
                channels /= r * r
                h *= r
                w *= r
            case .tanhToUnit:
                Self.epilogue(writable(), channels: channels, bias: nil, steps: [.tanhToUnit], plane: h * w, pixels: 0 ..< h * w, parallel: true)
            case .addUpsampledInput(let s):
                let a = writable()
                Self.parallel(channels: channels, pixels: h * w) { c in
                    let a = a + c * h * w, src = crop + c * height * width
                    for y in 0..<h {
                        let line = a + y * w, srcLine = src + (y / s) * width
                        for x in 0..<w { line[x] += srcLine[x / s] }
                    }
                }
            }
        }
        precondition(channels == 3 && skips.isEmpty, "upscaler network does not end in 3 channels")
        return UnsafePointer(buffers[current].baseAddress!)
    }

    /// Runs `body` for each channel, in parallel when the map is large.
    private static func parallel(channels: Int, pixels: Int, _ body: (Int) -> Void) {
        forEachIndex(channels, parallel: channels * pixels >= 1 << 16, body)
    }

    /// PyTorch's pixel shuffle: `[C*r*r, H, W]` to `[C, H*r, W*r]` with
    /// `out[c, h*r+i, w*r+j] = in[c*r*r + i*r + j, h, w]`.
    static func pixelShuffle(_ input: UnsafePointer<Float>, channels: Int, height: Int, width: Int,
                             factor r: Int, into output: UnsafeMutablePointer<Float>) {
        let outWidth = width * r, plane = height * width
        parallel(channels: channels, pixels: plane * r * r) { c in
            for i in 0..<r {
                for j in 0..<r {
                    let src = input + (c * r * r + i * r + j) * plane
                    let dst = output + c * plane * r * r
                    for h in 0..<height {
                        let line = dst + (h * r + i) * outWidth + j
                        let srcLine = src + h * width
                        for w in 0..<width { line[w * r] = srcLine[w] }
                    }
                }
            }
        }
    }
}
