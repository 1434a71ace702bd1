/// A large kernel (9x9, any 3m x 3m with m odd) with few outputs, as m² 3x3 Winograd convolutions
/// whose outputs are summed, shifted.
///
/// Writing each tap offset as `d = 3(a - c) + e` (c = (m - 1)/2, e in -1...1) splits the kernel into
/// m² 3x3 parts `W_ab[e] = W[3a + e + 1]`: `y(p) = Σ_ab z_ab(p + 3(a - c, b - c))` with
/// `z_ab = conv3x3(x, W_ab)`. The parts are one Winograd convolution with `out · m²` outputs, run on
/// the input read as if zero-padded by `3c` (never copied) so that `z_ab` is known wherever a
/// shifted sum reads it. For the
/// SRGAN's final 9x9 (64 → 3) that is four times fewer multiplications than kn2row or im2col.
struct SplitKernel {
    let inputChannels: Int
    let outputChannels: Int
    let kernel: Int
    /// Parts per side, m.
    let parts: Int
    /// The parts as one 3x3 convolution: output channel `(a * m + b) * outputChannels + o`.
    let winograd: Winograd3x3

    /// Splits PyTorch-layout weights `[out, in, k, k]`; `kernel` must be 3m with m odd and at least 3.
    init(weight: [Float], outputChannels: Int, inputChannels: Int, kernel: Int) {
        precondition(kernel % 3 == 0 && (kernel / 3) % 2 == 1 && kernel >= 9)
        precondition(weight.count == outputChannels * inputChannels * kernel * kernel)
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernel = kernel
        let m = kernel / 3
        parts = m
        var split = [Float](repeating: 0, count: m * m * outputChannels * inputChannels * 9)
        for a in 0..<m {
            for b in 0..<m {
                for o in 0..<outputChannels {
                    for i in 0..<inputChannels {
                        let target = (((a * m + b) * outputChannels + o) * inputChannels + i) * 9
                        let source = (o * inputChannels + i) * kernel * kernel
                        for ky in 0..<3 {
                            for kx in 0..<3 { split[target + ky * 3 + kx] = weight[source + (3 * a + ky) * kernel + 3 * b + kx] }
                        }
                    }
                }
            }
        }
        winograd = Winograd3x3(weight: split, outputChannels: m * m * outputChannels, inputChannels: inputChannels)
    }

    /// Padding on each side, `3c`.
    var padding: Int { 3 * (parts / 2) }

    /// Floats of scratch `apply` needs: the parts' outputs and Winograd's scratch.
    func scratchCount(height: Int, width: Int) -> Int {
        let h = height + 2 * padding, w = width + 2 * padding
        return winograd.outputChannels * h * w + winograd.scratchCount(height: h, width: w)
    }

    /// `output[out, h, w] = conv(input[in, h, w])` without bias.
    func apply(input: UnsafePointer<Float>, height: Int, width: Int,
               output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        let pad = padding, h = height + 2 * pad, w = width + 2 * pad
        let parts = scratch, rest = parts + winograd.outputChannels * h * w
        winograd.apply(input: input, padding: pad, height: h, width: w, output: parts, scratch: rest)
        // y[o, y, x] = Σ_ab parts[(a m + b) out + o, y + 3a, x + 3b], summed in (a, b) order.
        let m = self.parts, outputs = outputChannels
        let rows = outputs * height
        forEachIndex(rows, parallel: rows * width * m * m >= 1 << 16) { index in
            let o = index / height, y = index % height
            let line = output + (o * height + y) * width
            line.update(repeating: 0, count: width)
            for a in 0..<m {
                for b in 0..<m {
                    let source = parts + (((a * m + b) * outputs + o) * h + y + 3 * a) * w + 3 * b
                    Vector8.add(source, into: line, count: width)
                }
            }
        }
    }
}
