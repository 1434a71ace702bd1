/// A convolution with few outputs and a large kernel, computed as "kn2row": one GEMM, then shifted sums.
///
/// `Z[(o, ky, kx), p] = Σ_c w[o, c, ky, kx] · x[c, p]` is a single GEMM with `Cout·k²` rows and
/// `Cin` depth over the image's pixels; the output is then `y[o, y, x] = Σ_{ky,kx} Z[(o, ky, kx),
/// y + ky - k/2, x + kx - k/2]`. It does the same multiplications as im2col but never builds the
/// `Cin·k²`-row column matrix, which for the SRGAN's final 9x9 convolution (64 → 3) is 27 times the
/// size of its input. Rows are processed in bands (with a k/2 halo) to bound the scratch memory.
struct KernelToRow {
    let inputChannels: Int
    let outputChannels: Int
    let kernel: Int
    /// Weights regrouped as `[(o, ky, kx), c]`.
    let regrouped: [Float]
    /// Most floats the Z band may take.
    let scratchBudget: Int

    /// The default scratch budget: 8 Mi floats (32 MiB).
    static let defaultScratchBudget = 8 << 20

    /// Regroups PyTorch-layout weights `[out, in, k, k]`.
    init(weight: [Float], outputChannels: Int, inputChannels: Int, kernel: Int, scratchBudget: Int = Self.defaultScratchBudget) {
        precondition(weight.count == outputChannels * inputChannels * kernel * kernel)
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernel = kernel
        self.scratchBudget = scratchBudget
        let kk = kernel * kernel
        var regrouped = [Float](repeating: 0, count: weight.count)
        for o in 0..<outputChannels {
            for c in 0..<inputChannels {
                for t in 0..<kk { regrouped[(o * kk + t) * inputChannels + c] = weight[(o * inputChannels + c) * kk + t] }
            }
        }
        self.regrouped = regrouped
    }

    /// Output rows per band at this size.
    func bandRows(height: Int, width: Int) -> Int {
        let perRow = outputChannels * kernel * kernel * width
        return max(1, min(height, scratchBudget / perRow - 2 * (kernel / 2)))
    }

    /// Floats of scratch `apply` needs.
    func scratchCount(height: Int, width: Int) -> Int {
        let rows = min(height, bandRows(height: height, width: width) + 2 * (kernel / 2))
        return outputChannels * kernel * kernel * rows * width
    }

    /// `output[out, h, w] = conv(input[in, h, w])` without bias.
    func apply(input: UnsafePointer<Float>, height: Int, width: Int,
               output: UnsafeMutablePointer<Float>, scratch z: UnsafeMutablePointer<Float>) {
        let pad = kernel / 2, kk = kernel * kernel, pixels = height * width
        let rows = bandRows(height: height, width: width)
        output.update(repeating: 0, count: outputChannels * pixels)
        regrouped.withUnsafeBufferPointer { w in
            var y0 = 0
            while y0 < height {
                let y1 = min(height, y0 + rows)
                let zStart = max(0, y0 - pad), zEnd = min(height, y1 + pad)
                let n = (zEnd - zStart) * width
                BLAS.sgemm(m: outputChannels * kk, n: n, k: inputChannels, a: w.baseAddress!, lda: inputChannels,
                           b: input + zStart * width, ldb: pixels, c: z, ldc: n)
                for o in 0..<outputChannels {
                    let plane = output + o * pixels
                    for ky in 0..<kernel {
                        for kx in 0..<kernel {
                            let zPlane = z + (o * kk + ky * kernel + kx) * n
                            let shift = kx - pad
                            let x0 = max(0, -shift), x1 = min(width, width - shift)
                            guard x0 < x1 else { continue }
                            for y in y0..<y1 {
                                let sy = y + ky - pad
                                guard sy >= zStart && sy < zEnd else { continue }
                                let src = zPlane + (sy - zStart) * width + shift
                                let dst = plane + y * width
                                for x in x0..<x1 { dst[x] += src[x] }
                            }
                        }
                    }
                }
                y0 = y1
            }
        }
    }
}
