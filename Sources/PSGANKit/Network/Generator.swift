/// The PSGAN generator's forward pass, exactly per the contract: latent and pose in, RGB out.
///
/// ```
/// z  = z / sqrt(mean(z^2) + 1e-8)
/// x  = pn(lrelu(reshape(dense.weight @ z, [C4, 4, 4]) + dense.bias))
/// x  = pn(lrelu(conv(cat(x, P_4), b4.conv)))
/// for s = 8 ... R:  x = up2(x);  x = pn(lrelu(conv(cat(x, P_s), b{s}.conv0)));  x = pn(lrelu(conv(x, b{s}.conv1)))
/// rgb = conv(x, torgb)
/// ```
///
/// A generator owns its scratch buffers and reuses them from frame to frame, so one instance must
/// not run two frames at once; make one per thread. 3x3 convolutions on maps of at least 16 x 16
/// run as Winograd F(4x4, 3x3); smaller maps, where the GEMMs would be too narrow to pay for
/// Winograd's four-times-larger weights, run as im2col on the concatenated input (`concat`). On
/// the Winograd blocks nothing is concatenated: the first convolution reads the previous block's
/// output as its own 2x upsampling, the pose channels' share is added from the keypoints'
/// positions (``PoseTerm``), and bias, leaky ReLU and pixel norm run on each band of output rows
/// as soon as it is done. Two feature buffers take turns as input and output.
public final class Generator {
    /// The model's config.
    public let config: GeneratorConfig

    /// One block: its scale, its convolutions, and for Winograd blocks the pose channels' term.
    private struct Block {
        let scale: Int
        let first: Conv2D
        let second: Conv2D?
        /// Set when the first convolution reads the upsampled previous output and adds the pose
        /// term; nil when it convolves `cat(up2(x), P_s)` from `concat`.
        let pose: PoseTerm?
        /// The first convolution's bias, plus the pose term's value inside the map when there is one.
        let firstBias: [Float]
    }

    /// The smallest scale whose convolutions run as Winograd (below it, im2col on `concat`).
    static let winogradScale = 16
    private let dense: [Float]
    private let denseBias: [Float]
    private let blocks: [Block]
    private let toRGB: Conv2D
    private let concat: UnsafeMutableBufferPointer<Float>
    private let features: (UnsafeMutableBufferPointer<Float>, UnsafeMutableBufferPointer<Float>)
    private let columns: UnsafeMutableBufferPointer<Float>

    /// Prepares a generator for `model`, allocating its scratch buffers.
    public init(model: PSGANModel) {
        let config = model.config
        self.config = config
        let w = model.weights
        let k = config.keypoints
        dense = w["dense.weight"]!
        denseBias = w["dense.bias"]!
        let c4 = config.channels[4]!
        func conv(_ s: Int, _ index: Int, input: Int, output: Int) -> Conv2D {
            let name = GeneratorConfig.convName(scale: s, index: index)
            return Conv2D(weight: w[name + ".weight"]!, bias: w[name + ".bias"]!,
                          outputChannels: output, inputChannels: input, kernel: 3, algorithm: s >= Self.winogradScale ? .automatic : .im2col)
        }
        func plain(_ s: Int, _ first: Conv2D, _ second: Conv2D?) -> Block {
            Block(scale: s, first: first, second: second, pose: nil, firstBias: first.bias)
        }
        var blocks = [plain(4, conv(4, 0, input: c4 + k, output: c4), nil)]
        for s in config.scales.dropFirst() {
            let c = config.channels[s]!, previous = config.channels[s / 2]!
            let second = conv(s, 1, input: c, output: c)
            guard s >= Self.winogradScale else {
                blocks.append(plain(s, conv(s, 0, input: previous + k, output: c), second))
                continue
            }
            // Split conv0's weight [c, previous + k, 3, 3] into the feature part and the pose part.
            let name = GeneratorConfig.convName(scale: s, index: 0)
            let weight = w[name + ".weight"]!
            var features = [Float]()
            features.reserveCapacity(c * previous * 9)
            for o in 0..<c { features += weight[(o * (previous + k)) * 9 ..< (o * (previous + k) + previous) * 9] }
            let first = Conv2D(weight: features, bias: w[name + ".bias"]!, outputChannels: c, inputChannels: previous, kernel: 3)
            let pose = PoseTerm(weight: weight, outputChannels: c, inputChannels: previous + k, firstPoseChannel: previous, keypoints: k)
            let bias = zip(first.bias, pose.interior).map { $0 + $1 }
            blocks.append(Block(scale: s, first: first, second: second, pose: pose, firstBias: bias))
        }
        self.blocks = blocks
        let r = config.resolution
        // With a coverage channel, `toalpha` is a fourth output row of the same 1x1 projection.
        toRGB = Conv2D(weight: w["torgb.weight"]! + (config.alpha ? w["toalpha.weight"]! : []),
                       bias: w["torgb.bias"]! + (config.alpha ? w["toalpha.bias"]! : []),
                       outputChannels: config.outputChannels, inputChannels: config.channels[r]!, kernel: 1)

        var concatFloats = c4 * 16
        var featureFloats = config.outputChannels * r * r
        var columnFloats = 0
        for block in blocks {
            let s = block.scale
            if block.pose == nil { concatFloats = max(concatFloats, block.first.inputChannels * s * s) }
            featureFloats = max(featureFloats, block.first.outputChannels * s * s)
            columnFloats = max(columnFloats, block.first.columnCount(height: s, width: s),
                               block.second?.columnCount(height: s, width: s) ?? 0)
        }
        concat = .allocate(capacity: concatFloats)
        features = (.allocate(capacity: featureFloats), .allocate(capacity: featureFloats))
        columns = .allocate(capacity: max(columnFloats, 1))
        for buffer in [concat, features.0, features.1, columns] { buffer.initialize(repeating: 0) }
    }

    deinit {
        concat.deallocate()
        features.0.deallocate()
        features.1.deallocate()
        columns.deallocate()
    }

    /// Bytes of scratch memory this generator holds.
    public var scratchBytes: Int { 4 * (concat.count + features.0.count + features.1.count + columns.count) }

    /// Runs one frame: the float RGB image `[3, R, R]` (nominal range [-1, 1]) for `latent` and a
    /// pose already in model-canvas pixels (``GeneratorConfig/poseKeypoints`` keypoints; a
    /// `coco18-limbs` model derives its limb points from it).
    public func forward(latent: [Float], keypoints: [Keypoint]) -> [Float] {
        forward(latent: latent, conditions: ConditionMaps(pose: keypoints, config: config))
    }

    /// Runs one frame from prepared condition maps.
    public func forward(latent: [Float], conditions: ConditionMaps) -> [Float] {
        precondition(latent.count == config.latentDim, "latent has \(latent.count) values, model wants \(config.latentDim)")
        precondition(conditions.keypointCount == config.keypoints && conditions.resolution == config.resolution)
        let k = config.keypoints
        let c4 = config.channels[4]!

        // Latent normalisation and the dense layer, written straight into the b4 concat buffer.
        let l = config.latentDim
        var meanSquare: Float = 0
        for v in latent { meanSquare += v * v }
        var z: [Float]
        if meanSquare.isFinite {
            let inverse = 1 / (meanSquare / Float(l) + 1e-8).squareRoot()
            z = latent.map { $0 * inverse }
        } else {
            // Latent values near float's limit (a character file may hold any finite float): their
            // squares overflow float, so the norm is taken in double.
            var wide = 0.0
            for v in latent { wide += Double(v) * Double(v) }
            let inverse = 1 / (wide / Double(l) + 1e-8).squareRoot()
            z = latent.map { Float(Double($0) * inverse) }
        }
        dense.withUnsafeBufferPointer { w in
            z.withUnsafeBufferPointer { zp in
                BLAS.sgemv(m: c4 * 16, n: l, a: w.baseAddress!, x: zp.baseAddress!, y: concat.baseAddress!)
            }
        }
        denseBias.withUnsafeBufferPointer { b in
            Self.activate(concat.baseAddress!, channels: c4, height: 4, width: 4, rows: 0..<4, bias: b.baseAddress!, parallel: false)
        }

        // Where the latest block's result is: the dense output sits in `concat` already.
        var result = concat.baseAddress!
        var spare = features.0.baseAddress!
        for block in blocks {
            let s = block.scale
            let out = spare
            if let pose = block.pose {
                let pixels = conditions.pixels(scale: s)
                convolve(block.first, bias: block.firstBias, input: result, upsampled: true, size: s, output: out) { rows in
                    pose.add(to: out, height: s, width: s, rows: rows, pixels: pixels)
                }
            } else {
                let previous = block.first.inputChannels - k
                if s > 4 { Self.upsample2x(result, channels: previous, size: s / 2, into: concat.baseAddress!) }
                conditions.write(scale: s, into: UnsafeMutableBufferPointer(rebasing: concat[previous * s * s ..< (previous + k) * s * s]))
                convolve(block.first, bias: block.firstBias, input: concat.baseAddress!, upsampled: false, size: s, output: out)
            }
            result = out
            spare = out == features.0.baseAddress! ? features.1.baseAddress! : features.0.baseAddress!
            if let second = block.second {
                let out = spare
                convolve(second, bias: second.bias, input: result, upsampled: false, size: s, output: out)
                spare = result
                result = out
            }
        }

        let r = config.resolution
        toRGB.apply(input: result, height: r, width: r, output: spare, columns: columns.baseAddress!)
        return Array(UnsafeBufferPointer(start: spare, count: config.outputChannels * r * r))
    }

    /// Runs `conv` on an `size x size` map and, on each finished band of rows, `addPose` (when
    /// given), then `bias`, leaky ReLU and pixel norm.
    private func convolve(_ conv: Conv2D, bias: [Float], input: UnsafePointer<Float>, upsampled: Bool, size s: Int,
                          output: UnsafeMutablePointer<Float>, addPose: ((Range<Int>) -> Void)? = nil) {
        bias.withUnsafeBufferPointer { bias in
            conv.apply(input: input, upsampled: upsampled, height: s, width: s, output: output, columns: columns.baseAddress!) { rows, parallel in
                addPose?(rows)
                Self.activate(output, channels: conv.outputChannels, height: s, width: s, rows: rows,
                              bias: bias.baseAddress!, parallel: parallel)
            }
        }
    }

    /// Nearest-neighbour 2x upsampling of `[channels, size, size]` into `[channels, 2size, 2size]`.
    static func upsample2x(_ source: UnsafePointer<Float>, channels: Int, size: Int, into target: UnsafeMutablePointer<Float>) {
        let out = 2 * size
        for c in 0..<channels {
            let src = source + c * size * size
            let dst = target + c * out * out
            for y in 0..<size {
                let line = dst + 2 * y * out
                let srcLine = src + y * size
                for x in 0..<size {
                    let v = srcLine[x]
                    line[2 * x] = v
                    line[2 * x + 1] = v
                }
                (line + out).update(from: line, count: out)
            }
        }
    }

    /// Quantises a float RGB image `[3, R, R]` to 8-bit pixels, per the contract:
    /// `clamp(round_half_even((rgb + 1) * 127.5), 0, 255)`; a fourth plane (a model with a coverage
    /// channel) is quantised the same way into the image's ``RGBImage/coverage``.
    public static func quantize(_ rgb: [Float], size: Int) -> RGBImage {
        precondition(rgb.count == 3 * size * size || rgb.count == 4 * size * size)
        let plane = size * size
        var image = quantizeRGB(rgb, size: size)
        if rgb.count == 4 * plane {
            image.coverage = rgb[3 * plane ..< 4 * plane].map(level)
        }
        return image
    }

    /// One value's 8-bit level: `clamp(round_half_even((v + 1) * 127.5), 0, 255)` (NaN gives 0).
    @inline(__always) private static func level(_ value: Float) -> UInt8 {
        let v = ((value + 1) * 127.5).rounded(.toNearestOrEven)
        return UInt8(min(255, max(0, v.isNaN ? 0 : v)))
    }

    private static func quantizeRGB(_ rgb: [Float], size: Int) -> RGBImage {
        let plane = size * size
        var pixels = [UInt8](repeating: 0, count: 3 * plane)
        rgb.withUnsafeBufferPointer { src in
            pixels.withUnsafeMutableBufferPointer { dst in
                for p in 0..<plane {
                    for c in 0..<3 { dst[3 * p + c] = level(src[c * plane + p]) }
                }
            }
        }
        return RGBImage(width: size, height: size, pixels: pixels)
    }
}
