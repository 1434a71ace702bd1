/// What runs on a convolution's finished output rows (all channels) while they are still in cache:
/// the bias and the activation. `parallel` says whether it may spread its work over the cores
/// (false when the convolution already runs one band per core).
typealias ConvEpilogue = (_ rows: Range<Int>, _ parallel: Bool) -> Void

/// A per-channel bias and optional PReLU (one slope or one per channel) that a convolution applies
/// to its output as it writes it.
struct ChannelActivation {
    let bias: [Float]
    let slopes: [Float]?

    /// Channel `c`'s bias and slope.
    func of(channel c: Int) -> (bias: Float, slope: Float?) {
        (bias[c], slopes.map { $0[$0.count == 1 ? 0 : c] })
    }

    /// Applies it to pixels `pixels` of every channel of `[channels, plane]`.
    func apply(to x: UnsafeMutablePointer<Float>, plane: Int, pixels: Range<Int>, parallel: Bool) {
        forEachIndex(bias.count, parallel: parallel && bias.count * pixels.count >= 1 << 15) { c in
            let (b, slope) = of(channel: c)
            Self.apply(x + c * plane + pixels.lowerBound, count: pixels.count, bias: b, slope: slope)
        }
    }

    /// `x = x + bias` (when given), then `x = x < 0 ? slope * x : x` (when given), on `count`
    /// floats at `row`, eight at a time.
    static func apply(_ row: UnsafeMutablePointer<Float>, count n: Int, bias: Float?, slope: Float?) {
        let whole = n / 8 * 8
        var p = 0
        while p < whole {
            Vector8.store(apply(Vector8.load(row + p), bias: bias, slope: slope), row + p)
            p += 8
        }
        while p < n {
            var v = row[p]
            if let bias { v += bias }
            if let slope, v < 0 { v = slope * v }
            row[p] = v
            p += 1
        }
    }

    /// `v + bias` (when given), then PReLU with `slope` (when given), lane by lane.
    @inline(__always) static func apply(_ v: Vector8.Value, bias: Float?, slope: Float?) -> Vector8.Value {
        var v = v
        if let bias { v += bias }
        if let slope { v.replace(with: slope * v, where: v .< 0) }
        return v
    }
}

/// A stride-1, zero-padded 2D convolution (PyTorch's `Conv2d`, padding k/2) on OpenBLAS SGEMM.
///
/// Any odd kernel size works: 1x1 is a plain GEMM, 3x3 (the generator's and upscalers' hot path)
/// runs as Winograd F(4x4, 3x3) (see ``Winograd3x3``), large kernels with few outputs as 3x3
/// Winograd parts summed shifted when the size is 3m (the SRGAN's final 9x9, 64 → 3: see
/// ``SplitKernel``), else as kn2row (see ``KernelToRow``), and the rest
/// (the SRGAN's first 9x9) as im2col plus GEMM. ``Algorithm/im2col`` forces the im2col path for any size, as a reference.
///
/// Weights are kept in PyTorch's `[out, in, kh, kw]` order, which is already the row-major
/// `[out, in * kh * kw]` matrix the GEMM wants. The im2col matrix is built a band of output rows at
/// a time so its buffer stays bounded whatever the image size.
struct Conv2D {
    /// How a convolution is computed.
    enum Algorithm {
        /// Winograd for 3x3 kernels, im2col for the others, a plain GEMM for 1x1.
        case automatic
        /// im2col plus GEMM whatever the kernel (the reference path).
        case im2col
    }

    let inputChannels: Int
    let outputChannels: Int
    let kernel: Int
    let weight: [Float]
    let bias: [Float]
    /// The Winograd form of a 3x3 convolution, when it is used.
    let winograd: Winograd3x3?
    /// The kn2row form of a large kernel with few outputs, when it is used.
    let kernelToRow: KernelToRow?
    /// The split form (3x3 Winograd parts) of a 9x9-like kernel with few outputs, when it is used.
    let splitKernel: SplitKernel?

    /// Most floats an im2col band may take (32 MiB).
    static let columnBudget = 8 << 20

    init(weight: [Float], bias: [Float], outputChannels: Int, inputChannels: Int, kernel: Int,
         algorithm: Algorithm = .automatic) {
        precondition(weight.count == outputChannels * inputChannels * kernel * kernel && bias.count == outputChannels)
        precondition(kernel >= 1 && kernel % 2 == 1, "kernel size \(kernel) must be odd")
        self.weight = weight
        self.bias = bias
        self.outputChannels = outputChannels
        self.inputChannels = inputChannels
        self.kernel = kernel
        winograd = kernel == 3 && algorithm == .automatic
            ? Winograd3x3(weight: weight, outputChannels: outputChannels, inputChannels: inputChannels)
            : nil
        let fewOutputs = kernel > 3 && outputChannels * kernel * kernel <= 512 && algorithm == .automatic
        let splits = kernel % 3 == 0 && (kernel / 3) % 2 == 1
        splitKernel = fewOutputs && splits
            ? SplitKernel(weight: weight, outputChannels: outputChannels, inputChannels: inputChannels, kernel: kernel)
            : nil
        kernelToRow = fewOutputs && !splits
            ? KernelToRow(weight: weight, outputChannels: outputChannels, inputChannels: inputChannels, kernel: kernel)
            : nil
    }

    /// Rows of output per im2col band at this width.
    func bandRows(height: Int, width: Int) -> Int {
        let perRow = inputChannels * kernel * kernel * width
        return max(1, min(height, Self.columnBudget / perRow))
    }

    /// Floats of scratch (im2col band or Winograd buffers) needed at this size (0 for a 1x1 kernel).
    func columnCount(height: Int, width: Int) -> Int {
        if let winograd { return winograd.scratchCount(height: height, width: width) }
        if let splitKernel { return splitKernel.scratchCount(height: height, width: width) }
        if let kernelToRow { return kernelToRow.scratchCount(height: height, width: width) }
        return kernel == 1 ? 0 : inputChannels * kernel * kernel * width * bandRows(height: height, width: width)
    }

    /// `output[outputChannels, h, w] = conv(input[inputChannels, h, w])`, plus the bias when
    /// `addingBias` (callers that fuse the bias into their activation pass false), no activation.
    func apply(input: UnsafePointer<Float>, height: Int, width: Int,
               output: UnsafeMutablePointer<Float>, columns: UnsafeMutablePointer<Float>, addingBias: Bool = true) {
        apply(input: input, height: height, width: width, output: output, columns: columns,
              activation: addingBias ? ChannelActivation(bias: bias, slopes: nil) : nil, epilogue: nil)
    }

    /// `output[outputChannels, h, w] = conv(input[inputChannels, h, w])` without bias, then
    /// `epilogue` on the finished output rows: band by band, while they are still in cache, on the
    /// Winograd path; once for all rows on the others.
    ///
    /// With `upsampled` (Winograd only), `input` is `[inputChannels, h/2, w/2]`, read as its
    /// nearest-neighbour 2x upsampling without materialising it. `activation` (bias, PReLU) is
    /// applied to the output before `epilogue` sees it. `streaming` (Winograd only; see
    /// ``Winograd3x3/apply(input:upsampled:padding:height:width:output:scratch:activation:streaming:epilogue:)``)
    /// writes the output past the caches.
    func apply(input: UnsafePointer<Float>, upsampled: Bool = false, height: Int, width: Int,
               output: UnsafeMutablePointer<Float>, columns: UnsafeMutablePointer<Float>,
               activation: ChannelActivation? = nil, streaming: Bool = false, epilogue: ConvEpilogue?) {
        if let winograd {
            winograd.apply(input: input, upsampled: upsampled, height: height, width: width, output: output,
                           scratch: columns, activation: activation, streaming: streaming, epilogue: epilogue)
            return
        }
        precondition(!upsampled, "only Winograd convolutions read an upsampled input")
        let pixels = height * width
        weight.withUnsafeBufferPointer { w in
            if let splitKernel {
                splitKernel.apply(input: input, height: height, width: width, output: output, scratch: columns)
            } else if let kernelToRow {
                kernelToRow.apply(input: input, height: height, width: width, output: output, scratch: columns)
            } else if kernel == 1 {
                BLAS.sgemm(m: outputChannels, n: pixels, k: inputChannels, a: w.baseAddress!, lda: inputChannels,
                           b: input, ldb: pixels, c: output, ldc: pixels)
            } else {
                let rows = bandRows(height: height, width: width)
                var y0 = 0
                while y0 < height {
                    let y1 = min(height, y0 + rows)
                    let band = (y1 - y0) * width
                    Self.im2col(input: input, channels: inputChannels, height: height, width: width,
                                kernel: kernel, rows: y0..<y1, columns: columns)
                    let depth = inputChannels * kernel * kernel
                    BLAS.sgemm(m: outputChannels, n: band, k: depth, a: w.baseAddress!, lda: depth,
                               b: columns, ldb: band, c: output + y0 * width, ldc: pixels)
                    y0 = y1
                }
            }
        }
        activation?.apply(to: output, plane: pixels, pixels: 0 ..< pixels, parallel: true)
        epilogue?(0..<height, true)
    }

    /// Fills `columns[(c*k+ky)*k+kx, (y-y0)*w + x] = input[c, y+ky-k/2, x+kx-k/2]` (0 outside the
    /// image) for any odd kernel size `k`.
    static func im2col(input: UnsafePointer<Float>, channels: Int, height: Int, width: Int, kernel: Int,
                       rows: Range<Int>, columns: UnsafeMutablePointer<Float>) {
        let band = rows.count * width
        let pad = kernel / 2
        let fill = { (c: Int) in
            let plane = input + c * height * width
            for ky in 0..<kernel {
                for kx in 0..<kernel {
                    let row = columns + ((c * kernel + ky) * kernel + kx) * band
                    let shift = kx - pad
                    // Output columns x whose source column x + shift lies inside the image.
                    let x0 = max(0, -shift), x1 = min(width, width - shift)
                    for y in rows {
                        let dst = row + (y - rows.lowerBound) * width
                        let sy = y + ky - pad
                        guard sy >= 0 && sy < height && x0 < x1 else {
                            dst.update(repeating: 0, count: width)
                            continue
                        }
                        if x0 > 0 { dst.update(repeating: 0, count: x0) }
                        (dst + x0).update(from: plane + sy * width + x0 + shift, count: x1 - x0)
                        if x1 < width { (dst + x1).update(repeating: 0, count: width - x1) }
                    }
                }
            }
        }
        forEachIndex(channels, parallel: channels * band * kernel >= 1 << 16, fill)
    }
}
