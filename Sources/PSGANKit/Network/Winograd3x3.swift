import COpenBLAS
import Dispatch

/// A 3x3, stride-1, zero-padded convolution by Winograd's minimal filtering F(2x2, 3x3).
///
/// Each 2x2 block of output comes from a 4x4 block of input: `Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A`
/// (Lavin & Gray 2016). Across all channels and blocks this is 16 independent GEMMs
/// `M_ξ[out, tiles] = U_ξ[out, in] × V_ξ[in, tiles]`, one per position ξ of the 4x4 transformed
/// block, which take 16 multiplies per output block where direct convolution takes 36: 2.25 times
/// fewer. The transforms use only additions (and halves in G), so the results agree with direct
/// convolution to float rounding. Output rows are processed a band of block rows at a time, so the
/// scratch memory stays bounded at any image size.
struct Winograd3x3 {
    let inputChannels: Int
    let outputChannels: Int
    /// Transformed weights, `[16][outputChannels][inputChannels]`.
    let transformed: [Float]

    /// Most floats the V and M band buffers may take together (at least one block row).
    let scratchBudget: Int

    /// The default scratch budget: 8 Mi floats (32 MiB).
    static let defaultScratchBudget = 8 << 20

    /// Transforms PyTorch-layout weights `[out, in, 3, 3]`: `U = G g Gᵀ`, computed in double.
    init(weight: [Float], outputChannels: Int, inputChannels: Int, scratchBudget: Int = Self.defaultScratchBudget) {
        precondition(weight.count == outputChannels * inputChannels * 9)
        self.scratchBudget = scratchBudget
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        let g: [[Double]] = [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]]
        var u = [Float](repeating: 0, count: 16 * outputChannels * inputChannels)
        let plane = outputChannels * inputChannels
        for o in 0..<outputChannels {
            for i in 0..<inputChannels {
                let base = (o * inputChannels + i) * 9
                // t = G g (4x3), then U = t Gᵀ (4x4).
                var t = [[Double]](repeating: [0, 0, 0], count: 4)
                for r in 0..<4 {
                    for c in 0..<3 {
                        var sum = 0.0
                        for k in 0..<3 { sum += g[r][k] * Double(weight[base + k * 3 + c]) }
                        t[r][c] = sum
                    }
                }
                for r in 0..<4 {
                    for c in 0..<4 {
                        var sum = 0.0
                        for k in 0..<3 { sum += t[r][k] * g[c][k] }
                        u[(r * 4 + c) * plane + o * inputChannels + i] = Float(sum)
                    }
                }
            }
        }
        transformed = u
    }

    /// Block rows per band for an image of this size.
    func bandBlockRows(height: Int, width: Int) -> Int {
        let blocksWide = (width + 1) / 2, blocksHigh = (height + 1) / 2
        let perBlockRow = 16 * (inputChannels + outputChannels) * blocksWide
        return max(1, min(blocksHigh, scratchBudget / perBlockRow))
    }

    /// Floats of scratch `apply` needs at this size.
    func scratchCount(height: Int, width: Int) -> Int {
        let tiles = bandBlockRows(height: height, width: width) * ((width + 1) / 2)
        return 16 * (inputChannels + outputChannels) * tiles
    }

    /// `output[out, h, w] = conv3x3(input[in, h, w])` without bias; `scratch` holds ``scratchCount(height:width:)`` floats.
    func apply(input: UnsafePointer<Float>, height: Int, width: Int,
               output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        let blocksWide = (width + 1) / 2, blocksHigh = (height + 1) / 2
        let bandRows = bandBlockRows(height: height, width: width)
        let maxTiles = bandRows * blocksWide
        let v = scratch, m = scratch + 16 * inputChannels * maxTiles
        var by0 = 0
        transformed.withUnsafeBufferPointer { u in
            while by0 < blocksHigh {
                let by1 = min(blocksHigh, by0 + bandRows)
                let tiles = (by1 - by0) * blocksWide
                transformInput(input, height: height, width: width, blockRows: by0..<by1, into: v, tiles: tiles)
                for xi in 0..<16 {
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans,
                                Int32(outputChannels), Int32(tiles), Int32(inputChannels),
                                1, u.baseAddress! + xi * outputChannels * inputChannels, Int32(inputChannels),
                                v + xi * inputChannels * tiles, Int32(tiles),
                                0, m + xi * outputChannels * tiles, Int32(tiles))
                }
                transformOutput(m, tiles: tiles, blockRows: by0..<by1, height: height, width: width, into: output)
                by0 = by1
            }
        }
    }

    /// `V_ξ[c, t] = (Bᵀ d B)_ξ` for every channel c and block t of the band.
    private func transformInput(_ input: UnsafePointer<Float>, height: Int, width: Int, blockRows: Range<Int>,
                                into v: UnsafeMutablePointer<Float>, tiles: Int) {
        let blocksWide = (width + 1) / 2
        let padded = 2 * blocksWide + 2
        let channels = inputChannels
        let work = { (c: Int) in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 8 * padded) { buffer in
                let rows = buffer.baseAddress!       // 4 padded input rows
                let t = rows + 4 * padded             // 4 vertically transformed rows
                let plane = input + c * height * width
                for by in blockRows {
                    for k in 0..<4 {
                        let row = rows + k * padded
                        row.update(repeating: 0, count: padded)
                        let y = 2 * by - 1 + k
                        if y >= 0 && y < height { (row + 1).update(from: plane + y * width, count: width) }
                    }
                    let r0 = rows, r1 = rows + padded, r2 = rows + 2 * padded, r3 = rows + 3 * padded
                    let t0 = t, t1 = t + padded, t2 = t + 2 * padded, t3 = t + 3 * padded
                    for j in 0..<padded {
                        t0[j] = r0[j] - r2[j]
                        t1[j] = r1[j] + r2[j]
                        t2[j] = r2[j] - r1[j]
                        t3[j] = r1[j] - r3[j]
                    }
                    let tileBase = (by - blockRows.lowerBound) * blocksWide
                    for i in 0..<4 {
                        let ti = t + i * padded
                        let d0 = v + ((i * 4 + 0) * channels + c) * tiles + tileBase
                        let d1 = v + ((i * 4 + 1) * channels + c) * tiles + tileBase
                        let d2 = v + ((i * 4 + 2) * channels + c) * tiles + tileBase
                        let d3 = v + ((i * 4 + 3) * channels + c) * tiles + tileBase
                        for bx in 0..<blocksWide {
                            let x = 2 * bx
                            let a = ti[x], b = ti[x + 1], cc = ti[x + 2], d = ti[x + 3]
                            d0[bx] = a - cc
                            d1[bx] = b + cc
                            d2[bx] = cc - b
                            d3[bx] = b - d
                        }
                    }
                }
            }
        }
        if channels * tiles >= 1 << 14 {
            DispatchQueue.concurrentPerform(iterations: channels, execute: work)
        } else {
            for c in 0..<channels { work(c) }
        }
    }

    /// `Y = Aᵀ M A` for every output channel and block of the band, written into the image.
    private func transformOutput(_ m: UnsafeMutablePointer<Float>, tiles: Int, blockRows: Range<Int>,
                                 height: Int, width: Int, into output: UnsafeMutablePointer<Float>) {
        let blocksWide = (width + 1) / 2
        let channels = outputChannels
        let work = { (o: Int) in
            let plane = output + o * height * width
            let stride = channels * tiles
            let m0 = m + o * tiles, m1 = m0 + stride, m2 = m1 + stride, m3 = m2 + stride
            let m4 = m3 + stride, m5 = m4 + stride, m6 = m5 + stride, m7 = m6 + stride
            let m8 = m7 + stride, m9 = m8 + stride, m10 = m9 + stride, m11 = m10 + stride
            let m12 = m11 + stride, m13 = m12 + stride, m14 = m13 + stride, m15 = m14 + stride
            for by in blockRows {
                let tileBase = (by - blockRows.lowerBound) * blocksWide
                let y = 2 * by
                let top = plane + y * width
                let hasBottom = y + 1 < height
                let bottom = hasBottom ? top + width : top
                // Whole 2x2 blocks first, then a last half-block when the width is odd.
                let whole = width / 2
                for bx in 0..<whole {
                    let t = tileBase + bx
                    // Rows of Aᵀ M: s0 = m0 + m1 + m2, s1 = m1 - m2 - m3 (per column j).
                    let s00 = m0[t] + m4[t] + m8[t], s01 = m1[t] + m5[t] + m9[t]
                    let s02 = m2[t] + m6[t] + m10[t], s03 = m3[t] + m7[t] + m11[t]
                    top[2 * bx] = s00 + s01 + s02
                    top[2 * bx + 1] = s01 - s02 - s03
                    if hasBottom {
                        let s10 = m4[t] - m8[t] - m12[t], s11 = m5[t] - m9[t] - m13[t]
                        let s12 = m6[t] - m10[t] - m14[t], s13 = m7[t] - m11[t] - m15[t]
                        bottom[2 * bx] = s10 + s11 + s12
                        bottom[2 * bx + 1] = s11 - s12 - s13
                    }
                }
                if whole < blocksWide {
                    let t = tileBase + whole
                    top[2 * whole] = (m0[t] + m4[t] + m8[t]) + (m1[t] + m5[t] + m9[t]) + (m2[t] + m6[t] + m10[t])
                    if hasBottom {
                        bottom[2 * whole] = (m4[t] - m8[t] - m12[t]) + (m5[t] - m9[t] - m13[t]) + (m6[t] - m10[t] - m14[t])
                    }
                }
            }
        }
        if channels * tiles >= 1 << 14 {
            DispatchQueue.concurrentPerform(iterations: channels, execute: work)
        } else {
            for o in 0..<channels { work(o) }
        }
    }
}
