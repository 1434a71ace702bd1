import Foundation
import Testing
@testable import PSGANKit

/// The convolution paths against each other and against a direct, hand-written convolution.
@Suite struct ConvolutionTests {
    /// Deterministic pseudo-random values in [-1, 1).
    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var normals = SeededNormals(seed: seed)
        return (0..<count).map { _ in Float(Double(normals.nextBits() >> 11) * 0x1p-52 - 1) }
    }

    /// Direct cross-correlation with zero padding k/2, in double.
    static func direct(_ input: [Float], _ weight: [Float], cin: Int, cout: Int, k: Int, h: Int, w: Int) -> [Float] {
        var out = [Float](repeating: 0, count: cout * h * w)
        for o in 0..<cout {
            for y in 0..<h {
                for x in 0..<w {
                    var sum = 0.0
                    for i in 0..<cin {
                        for ky in 0..<k {
                            for kx in 0..<k {
                                let sy = y + ky - k / 2, sx = x + kx - k / 2
                                guard sy >= 0, sy < h, sx >= 0, sx < w else { continue }
                                sum += Double(weight[((o * cin + i) * k + ky) * k + kx]) * Double(input[(i * h + sy) * w + sx])
                            }
                        }
                    }
                    out[(o * h + y) * w + x] = Float(sum)
                }
            }
        }
        return out
    }

    func run(_ conv: Conv2D, _ input: [Float], h: Int, w: Int) -> [Float] {
        var out = [Float](repeating: .nan, count: conv.outputChannels * h * w)
        var scratch = [Float](repeating: 0, count: max(1, conv.columnCount(height: h, width: w)))
        input.withUnsafeBufferPointer { i in
            out.withUnsafeMutableBufferPointer { o in
                scratch.withUnsafeMutableBufferPointer { s in
                    conv.apply(input: i.baseAddress!, height: h, width: w, output: o.baseAddress!, columns: s.baseAddress!, addingBias: false)
                }
            }
        }
        return out
    }

    @Test(arguments: [(1, 1), (2, 3), (5, 7), (8, 8), (13, 6), (32, 17)])
    func winogradEqualsDirectConvolution(size: (Int, Int)) {
        let (h, w) = size
        let cin = 5, cout = 7
        let input = Self.values(cin * h * w, seed: 1)
        let weight = Self.values(cout * cin * 9, seed: 2)
        let bias = [Float](repeating: 0, count: cout)
        let truth = Self.direct(input, weight, cin: cin, cout: cout, k: 3, h: h, w: w)
        let fast = Conv2D(weight: weight, bias: bias, outputChannels: cout, inputChannels: cin, kernel: 3)
        let reference = Conv2D(weight: weight, bias: bias, outputChannels: cout, inputChannels: cin, kernel: 3, algorithm: .im2col)
        #expect(fast.winograd != nil && reference.winograd == nil)
        let winograd = run(fast, input, h: h, w: w), im2col = run(reference, input, h: h, w: w)
        #expect(relativeL2(winograd, truth) < Float32Bound.winograd(inputChannels: cin), "Winograd \(h)x\(w): \(relativeL2(winograd, truth))")
        #expect(relativeL2(im2col, truth) < Float32Bound.direct(terms: cin * 9), "im2col \(h)x\(w): \(relativeL2(im2col, truth))")
    }

    @Test func bandedWinogradEqualsDirectConvolution() {
        // A scratch budget of one block row forces a band per block row.
        let cin = 6, cout = 4, h = 11, w = 10
        let weight = Self.values(cout * cin * 9, seed: 3), input = Self.values(cin * h * w, seed: 4)
        let winograd = Winograd3x3(weight: weight, outputChannels: cout, inputChannels: cin, scratchBudget: 1)
        #expect(winograd.bandBlockRows(height: h, width: w) == 1)
        var out = [Float](repeating: .nan, count: cout * h * w)
        var scratch = [Float](repeating: 0, count: winograd.scratchCount(height: h, width: w))
        input.withUnsafeBufferPointer { i in
            out.withUnsafeMutableBufferPointer { o in
                scratch.withUnsafeMutableBufferPointer { s in
                    winograd.apply(input: i.baseAddress!, height: h, width: w, output: o.baseAddress!, scratch: s.baseAddress!)
                }
            }
        }
        #expect(relativeL2(out, Self.direct(input, weight, cin: cin, cout: cout, k: 3, h: h, w: w)) < Float32Bound.winograd(inputChannels: cin))
    }

    @Test func nineByNineKernelsWithFewOutputsUseSplitKernels() {
        // Sizes that are not multiples of 4, and one smaller than the 9x9 kernel.
        for (h, w) in [(13, 11), (5, 7), (34, 21)] {
            let cin = 6, cout = 3
            let weight = Self.values(cout * cin * 81, seed: 5), input = Self.values(cin * h * w, seed: 6)
            let conv = Conv2D(weight: weight, bias: [0, 0, 0], outputChannels: cout, inputChannels: cin, kernel: 9)
            #expect(conv.splitKernel != nil && conv.kernelToRow == nil && conv.winograd == nil)
            let truth = Self.direct(input, weight, cin: cin, cout: cout, k: 9, h: h, w: w)
            #expect(relativeL2(run(conv, input, h: h, w: w), truth) < Float32Bound.direct(terms: cin * 81), "\(h)x\(w)")
        }
    }

    @Test func otherLargeKernelsWithFewOutputsUseKernelToRow() {
        let cin = 6, cout = 3, h = 13, w = 11
        let weight = Self.values(cout * cin * 49, seed: 5), input = Self.values(cin * h * w, seed: 6)
        let conv = Conv2D(weight: weight, bias: [0, 0, 0], outputChannels: cout, inputChannels: cin, kernel: 7)
        #expect(conv.kernelToRow != nil && conv.splitKernel == nil && conv.winograd == nil)
        let truth = Self.direct(input, weight, cin: cin, cout: cout, k: 7, h: h, w: w)
        #expect(relativeL2(run(conv, input, h: h, w: w), truth) < Float32Bound.direct(terms: cin * 49))
        // Banded: a budget of one band row at a time.
        let banded = KernelToRow(weight: weight, outputChannels: cout, inputChannels: cin, kernel: 7, scratchBudget: 1)
        #expect(banded.bandRows(height: h, width: w) == 1)
        var out = [Float](repeating: .nan, count: cout * h * w)
        var scratch = [Float](repeating: 0, count: banded.scratchCount(height: h, width: w))
        input.withUnsafeBufferPointer { i in
            out.withUnsafeMutableBufferPointer { o in
                scratch.withUnsafeMutableBufferPointer { s in
                    banded.apply(input: i.baseAddress!, height: h, width: w, output: o.baseAddress!, scratch: s.baseAddress!)
                }
            }
        }
        #expect(relativeL2(out, truth) < Float32Bound.direct(terms: cin * 49))
    }

    @Test func otherKernelsUseIm2col() {
        let cin = 3, cout = 30, h = 6, w = 5
        let weight = Self.values(cout * cin * 25, seed: 5), input = Self.values(cin * h * w, seed: 6)
        let conv = Conv2D(weight: weight, bias: [Float](repeating: 0, count: cout), outputChannels: cout, inputChannels: cin, kernel: 5)
        #expect(conv.winograd == nil && conv.kernelToRow == nil)
        #expect(relativeL2(run(conv, input, h: h, w: w), Self.direct(input, weight, cin: cin, cout: cout, k: 5, h: h, w: w)) < Float32Bound.direct(terms: cin * 25))
    }
}

/// The Winograd schedules, the upsampled input and the per-band epilogue.
@Suite struct WinogradScheduleTests {
    /// Runs `winograd` and returns its output and the row ranges its epilogue saw.
    func run(_ winograd: Winograd3x3, _ input: [Float], upsampled: Bool = false, streaming: Bool = false,
             activation: ChannelActivation? = nil, h: Int, w: Int) -> ([Float], [Range<Int>]) {
        var out = [Float](repeating: .nan, count: winograd.outputChannels * h * w)
        var scratch = [Float](repeating: 0, count: winograd.scratchCount(height: h, width: w))
        let seen = RowLog()
        input.withUnsafeBufferPointer { i in
            out.withUnsafeMutableBufferPointer { o in
                scratch.withUnsafeMutableBufferPointer { s in
                    winograd.apply(input: i.baseAddress!, upsampled: upsampled, height: h, width: w, output: o.baseAddress!,
                                   scratch: s.baseAddress!, activation: activation, streaming: streaming) { rows, _ in seen.add(rows) }
                }
            }
        }
        return (out, seen.rows.sorted { $0.lowerBound < $1.lowerBound })
    }

    @Test func privateBandsEqualDirectConvolution() {
        // A scratch budget of one block row makes ten bands, taken by the workers in any order.
        let cin = 6, cout = 5, h = 37, w = 45  // wide enough for the eight-block path, with a tail
        let weight = ConvolutionTests.values(cout * cin * 9, seed: 11), input = ConvolutionTests.values(cin * h * w, seed: 12)
        let winograd = Winograd3x3(weight: weight, outputChannels: cout, inputChannels: cin, scratchBudget: 1)
        #expect(winograd.schedule == .privateBands && winograd.bandBlockRows(height: h, width: w) == 1)
        let (out, rows) = run(winograd, input, h: h, w: w)
        #expect(relativeL2(out, ConvolutionTests.direct(input, weight, cin: cin, cout: cout, k: 3, h: h, w: w)) < Float32Bound.winograd(inputChannels: cin))
        // The epilogue saw every row once, four at a time (the last band shorter).
        #expect(rows == stride(from: 0, to: h, by: 4).map { $0 ..< min(h, $0 + 4) })
    }

    @Test func sharedBandsEqualDirectConvolution() {
        // Weights above 256 x 256 run shared bands: one at a time, the 36 GEMMs side by side.
        let cin = 260, cout = 256, h = 9, w = 6
        let weight = ConvolutionTests.values(cout * cin * 9, seed: 13).map { $0 * 0.05 }, input = ConvolutionTests.values(cin * h * w, seed: 14)
        let winograd = Winograd3x3(weight: weight, outputChannels: cout, inputChannels: cin, scratchBudget: 1)
        #expect(winograd.schedule == .sharedBands && winograd.bandBlockRows(height: h, width: w) == 1)
        let (out, rows) = run(winograd, input, h: h, w: w)
        #expect(relativeL2(out, ConvolutionTests.direct(input, weight, cin: cin, cout: cout, k: 3, h: h, w: w)) < Float32Bound.winograd(inputChannels: cin))
        #expect(rows == [0..<4, 4..<8, 8..<9])
    }

    /// The float32 bounds the tests use (``Float32Bound``) hold on this machine's kernels and are
    /// far below what a defect does: the shared-band convolution against a direct one whose weights
    /// differ in a single tap of one output channel.
    @Test func theFloat32BoundsAreFarBelowADefect() {
        #expect(abs(Float32Bound.winogradGain - 10.772569) < 1e-5, "from the transform matrices, by hand: sqrt(16710.95 / 144)")
        let cin = 260, cout = 256, h = 9, w = 6
        var weight = ConvolutionTests.values(cout * cin * 9, seed: 13).map { $0 * 0.05 }
        let input = ConvolutionTests.values(cin * h * w, seed: 14)
        let (out, _) = run(Winograd3x3(weight: weight, outputChannels: cout, inputChannels: cin, scratchBudget: 1), input, h: h, w: w)
        let bound = Float32Bound.winograd(inputChannels: cin)
        #expect(relativeL2(out, ConvolutionTests.direct(input, weight, cin: cin, cout: cout, k: 3, h: h, w: w)) < bound)
        weight.swapAt(4, 5)
        let defect = relativeL2(out, ConvolutionTests.direct(input, weight, cin: cin, cout: cout, k: 3, h: h, w: w))
        #expect(defect > 10 * bound, "a swapped tap: \(defect) against the bound \(bound)")
    }

    /// `OPENBLAS_CORETYPE` (which `.ci/run` sets to Haswell for a second run of the numeric suites)
    /// takes effect: OpenBLAS runs the kernels it names, so those suites test the AVX2 ones.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] != nil, "OPENBLAS_CORETYPE is not set"))
    func theOpenBLASCoreTypeTakesEffect() {
        let asked = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? ""
        #expect(BLAS.coreName.lowercased() == asked.lowercased(), "asked for \(asked), OpenBLAS runs \(BLAS.coreName)")
    }

    @Test func anUpsampledInputIsReadAsItsNearestNeighbourUpsampling() {
        let cin = 4, cout = 3, lowH = 7, lowW = 9, h = 14, w = 18
        let weight = ConvolutionTests.values(cout * cin * 9, seed: 15), low = ConvolutionTests.values(cin * lowH * lowW, seed: 16)
        var up = [Float](repeating: 0, count: cin * h * w)
        for c in 0..<cin { for y in 0..<h { for x in 0..<w { up[(c * h + y) * w + x] = low[(c * lowH + y / 2) * lowW + x / 2] } } }
        let winograd = Winograd3x3(weight: weight, outputChannels: cout, inputChannels: cin)
        let (out, _) = run(winograd, low, upsampled: true, h: h, w: w)
        #expect(relativeL2(out, ConvolutionTests.direct(up, weight, cin: cin, cout: cout, k: 3, h: h, w: w)) < Float32Bound.winograd(inputChannels: cin))
        // Wide enough for the eight-block SIMD path and a tail.
        let wideW = 2 * 45, wideLow = ConvolutionTests.values(cin * lowH * 45, seed: 17)
        var wideUp = [Float](repeating: 0, count: cin * h * wideW)
        for c in 0..<cin { for y in 0..<h { for x in 0..<wideW { wideUp[(c * h + y) * wideW + x] = wideLow[(c * lowH + y / 2) * 45 + x / 2] } } }
        let (wide, _) = run(winograd, wideLow, upsampled: true, h: h, w: wideW)
        #expect(relativeL2(wide, ConvolutionTests.direct(wideUp, weight, cin: cin, cout: cout, k: 3, h: h, w: wideW)) < Float32Bound.winograd(inputChannels: cin))
    }

    /// The plane rows a range of frame rows reads are exactly those its rows read one by one.
    @Test func aSourcesRowRangeIsTheRowsItsFrameRowsRead() {
        let sources = [WinogradSource(upsampled: false, padding: 0, height: 13, width: 8),
                       WinogradSource(upsampled: true, padding: 0, height: 14, width: 8),
                       WinogradSource(upsampled: false, padding: 3, height: 19, width: 12)]
        for source in sources {
            for first in -3...source.height + 2 {
                for last in first...source.height + 6 {
                    let rows = Set((first...last).compactMap(source.planeRow))
                    let range = source.planeRows(first...last)
                    #expect(Set(range) == rows && range.count == rows.count, "\(source) \(first)...\(last)")
                }
            }
        }
    }

    /// Non-temporal stores change where the output goes through, not what it is: the same bits,
    /// with private and shared bands, on widths with and without a tail of fewer than 32 floats.
    @Test(arguments: [(6, 5, 37, 68), (6, 5, 21, 36), (260, 256, 9, 40)])
    func streamingWritesTheSameOutput(cin: Int, cout: Int, h: Int, w: Int) {
        let weight = ConvolutionTests.values(cout * cin * 9, seed: 21).map { $0 * 0.1 }, input = ConvolutionTests.values(cin * h * w, seed: 22)
        let winograd = Winograd3x3(weight: weight, outputChannels: cout, inputChannels: cin, scratchBudget: 1)
        let activation = ChannelActivation(bias: ConvolutionTests.values(cout, seed: 23), slopes: [0.2])
        let (plain, _) = run(winograd, input, activation: activation, h: h, w: w)
        let (streamed, rows) = run(winograd, input, streaming: true, activation: activation, h: h, w: w)
        #expect(streamed.map(\.bitPattern) == plain.map(\.bitPattern))
        #expect(rows == stride(from: 0, to: h, by: 4).map { $0 ..< min(h, $0 + 4) })
        var direct = ConvolutionTests.direct(input, weight, cin: cin, cout: cout, k: 3, h: h, w: w)
        let bias = ConvolutionTests.values(cout, seed: 23)
        for i in direct.indices { let v = direct[i] + bias[i / (h * w)]; direct[i] = v < 0 ? 0.2 * v : v }
        #expect(relativeL2(streamed, direct) < Float32Bound.winograd(inputChannels: cin))
    }
}

/// Row ranges an epilogue saw, from any thread.
private final class RowLog: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var rows: [Range<Int>] = []
    func add(_ range: Range<Int>) { lock.lock(); rows.append(range); lock.unlock() }
}
