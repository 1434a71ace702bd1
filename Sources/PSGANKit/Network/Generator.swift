import COpenBLAS

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
/// not run two frames at once; make one per thread. Three feature buffers suffice: the concat input
/// of a block (`concat`), its first convolution's output (`first`) and its second's (`second`),
/// which the next block upsamples into `concat`. 3x3 convolutions on maps of at least 32 x 32 run
/// as Winograd F(4x4, 3x3); smaller maps, where the GEMMs would be too narrow to pay for Winograd's
/// four-times-larger weights, run as im2col.
public final class Generator {
    /// The model's config.
    public let config: GeneratorConfig

    private let dense: [Float]
    private let denseBias: [Float]
    private let convs: [(scale: Int, first: Conv2D, second: Conv2D?)]
    private let toRGB: Conv2D
    private let concat: UnsafeMutableBufferPointer<Float>
    private let firstOutput: UnsafeMutableBufferPointer<Float>
    private let secondOutput: UnsafeMutableBufferPointer<Float>
    private let columns: UnsafeMutableBufferPointer<Float>
    private let norms: UnsafeMutableBufferPointer<Float>

    /// Prepares a generator for `model`, allocating its scratch buffers.
    public init(model: PSGANModel) {
        let config = model.config
        self.config = config
        let w = model.weights
        let k = config.keypoints
        dense = w["dense.weight"]!
        denseBias = w["dense.bias"]!
        var convs: [(Int, Conv2D, Conv2D?)] = []
        let c4 = config.channels[4]!
        func algorithm(_ s: Int) -> Conv2D.Algorithm { s >= 32 ? .automatic : .im2col }
        func conv(_ s: Int, _ index: Int, input: Int, output: Int) -> Conv2D {
            let name = GeneratorConfig.convName(scale: s, index: index)
            return Conv2D(weight: w[name + ".weight"]!, bias: w[name + ".bias"]!,
                          outputChannels: output, inputChannels: input, kernel: 3, algorithm: algorithm(s))
        }
        convs.append((4, conv(4, 0, input: c4 + k, output: c4), nil))
        for s in config.scales.dropFirst() {
            let c = config.channels[s]!, previous = config.channels[s / 2]!
            convs.append((s, conv(s, 0, input: previous + k, output: c), conv(s, 1, input: c, output: c)))
        }
        self.convs = convs
        let r = config.resolution
        toRGB = Conv2D(weight: w["torgb.weight"]!, bias: w["torgb.bias"]!,
                       outputChannels: 3, inputChannels: config.channels[r]!, kernel: 1)

        var concatFloats = c4 * 16
        var featureFloats = 3 * r * r
        var columnFloats = 0
        for (s, first, second) in convs {
            concatFloats = max(concatFloats, first.inputChannels * s * s)
            featureFloats = max(featureFloats, first.outputChannels * s * s)
            columnFloats = max(columnFloats, first.columnCount(height: s, width: s),
                               second?.columnCount(height: s, width: s) ?? 0)
        }
        concat = .allocate(capacity: concatFloats)
        firstOutput = .allocate(capacity: featureFloats)
        secondOutput = .allocate(capacity: featureFloats)
        columns = .allocate(capacity: max(columnFloats, 1))
        norms = .allocate(capacity: r * r)
        for buffer in [concat, firstOutput, secondOutput, columns, norms] { buffer.initialize(repeating: 0) }
    }

    deinit {
        concat.deallocate()
        firstOutput.deallocate()
        secondOutput.deallocate()
        columns.deallocate()
        norms.deallocate()
    }

    /// Bytes of scratch memory this generator holds.
    public var scratchBytes: Int { 4 * (concat.count + firstOutput.count + secondOutput.count + columns.count + norms.count) }

    /// Runs one frame: the float RGB image `[3, R, R]` (nominal range [-1, 1]) for `latent` and
    /// keypoints already in model-canvas pixels.
    public func forward(latent: [Float], keypoints: [Keypoint]) -> [Float] {
        forward(latent: latent, conditions: ConditionMaps(keypoints: keypoints, resolution: config.resolution))
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
        let inverse = 1 / (meanSquare / Float(l) + 1e-8).squareRoot()
        let z = latent.map { $0 * inverse }
        dense.withUnsafeBufferPointer { w in
            z.withUnsafeBufferPointer { zp in
                cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(c4 * 16), Int32(l), 1,
                            w.baseAddress, Int32(l), zp.baseAddress, 1, 0, concat.baseAddress, 1)
            }
        }
        activate(concat.baseAddress!, channels: c4, pixels: 16, bias: denseBias)

        // Where the latest block's result is: the dense output sits in `concat` already.
        var result = concat
        for (s, first, second) in convs {
            let pixels = s * s
            let previous = first.inputChannels - k
            if s > 4 {
                Self.upsample2x(result.baseAddress!, channels: previous, size: s / 2, into: concat.baseAddress!)
            }
            conditions.write(scale: s, into: UnsafeMutableBufferPointer(rebasing: concat[previous * pixels ..< (previous + k) * pixels]))
            first.apply(input: concat.baseAddress!, height: s, width: s, output: firstOutput.baseAddress!,
                        columns: columns.baseAddress!, addingBias: false)
            activate(firstOutput.baseAddress!, channels: first.outputChannels, pixels: pixels, bias: first.bias)
            result = firstOutput
            if let second {
                second.apply(input: firstOutput.baseAddress!, height: s, width: s, output: secondOutput.baseAddress!,
                             columns: columns.baseAddress!, addingBias: false)
                activate(secondOutput.baseAddress!, channels: second.outputChannels, pixels: pixels, bias: second.bias)
                result = secondOutput
            }
        }

        let r = config.resolution
        let rgb = result.baseAddress == firstOutput.baseAddress ? secondOutput : firstOutput
        toRGB.apply(input: result.baseAddress!, height: r, width: r, output: rgb.baseAddress!, columns: columns.baseAddress!)
        return Array(rgb[0 ..< 3 * r * r])
    }

    /// Adds the per-channel bias, applies leaky ReLU (slope 0.2), then pixel norm over channels,
    /// in place on `[channels, pixels]`; large layers are split into pixel ranges run in parallel.
    private func activate(_ x: UnsafeMutablePointer<Float>, channels: Int, pixels: Int, bias: [Float]) {
        let sums = norms.baseAddress!
        let chunk = 4096
        let chunks = (pixels + chunk - 1) / chunk
        let scale = 1 / Float(channels)
        bias.withUnsafeBufferPointer { b in
            let run = { (index: Int) in
                let p0 = index * chunk, p1 = min(pixels, p0 + chunk)
                for p in p0..<p1 { sums[p] = 0 }
                for c in 0..<channels {
                    let row = x + c * pixels
                    let offset = b[c]
                    for p in p0..<p1 {
                        let u = row[p] + offset
                        let v = max(u, 0.2 * u)
                        row[p] = v
                        sums[p] += v * v
                    }
                }
                for p in p0..<p1 { sums[p] = 1 / (sums[p] * scale + 1e-8).squareRoot() }
                for c in 0..<channels {
                    let row = x + c * pixels
                    for p in p0..<p1 { row[p] *= sums[p] }
                }
            }
            forEachIndex(chunks, parallel: true, run)
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
    /// `clamp(round_half_even((rgb + 1) * 127.5), 0, 255)`.
    public static func quantize(_ rgb: [Float], size: Int) -> RGBImage {
        precondition(rgb.count == 3 * size * size)
        let plane = size * size
        var pixels = [UInt8](repeating: 0, count: 3 * plane)
        rgb.withUnsafeBufferPointer { src in
            pixels.withUnsafeMutableBufferPointer { dst in
                for p in 0..<plane {
                    for c in 0..<3 {
                        let v = ((src[c * plane + p] + 1) * 127.5).rounded(.toNearestOrEven)
                        dst[3 * p + c] = UInt8(min(255, max(0, v.isNaN ? 0 : v)))
                    }
                }
            }
        }
        return RGBImage(width: size, height: size, pixels: pixels)
    }
}
