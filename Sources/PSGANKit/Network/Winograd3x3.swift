import Foundation

/// A 3x3, stride-1, zero-padded convolution by Winograd's minimal filtering F(4x4, 3x3).
///
/// Each 4x4 block of output comes from a 6x6 block of input: `Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A`
/// (Lavin & Gray 2016, interpolation points 0, ±1, ±2). Across all channels and blocks this is 36
/// independent GEMMs `M_ξ[out, blocks] = U_ξ[out, in] × V_ξ[in, blocks]`, one per position ξ of the
/// 6x6 transformed block: 36 multiplies per 16 outputs where direct convolution takes 144, four
/// times fewer, and the transformed input is 2.25 values per pixel, so memory traffic drops too.
/// The weight transform is done in double; the results agree with direct convolution to about
/// 1e-6 relative (the tests hold it to that). Output rows are processed a band of block rows at a
/// time, so the scratch memory stays bounded at any image size, and each finished band is handed to
/// an epilogue (bias, activation) while it is still in cache.
///
/// Two schedules, chosen by the layer's shape alone (never by the thread count, so frames do not
/// depend on it): layers with big weights (`in x out` above 256 x 256: the generator's 512-channel
/// layers) run one band at a time with its 36 GEMMs side by side, so each thread reads a share of
/// the weights; layers with small weights and large maps run *private bands*: each thread takes
/// whole bands (transform, 36 GEMMs, transform, epilogue) so the transformed data never leaves its
/// core's cache. See ``WinogradSchedule``.
struct Winograd3x3 {
    let inputChannels: Int
    let outputChannels: Int
    /// Transformed weights, `[36][outputChannels][inputChannels]`.
    let transformed: [Float]
    /// Most floats the V and M band buffers may take together (at least one block row).
    let scratchBudget: Int

    /// The default scratch budget: 8 Mi floats (32 MiB).
    static let defaultScratchBudget = 8 << 20

    /// Transforms PyTorch-layout weights `[out, in, 3, 3]`: `U = G g Gᵀ`, computed in double.
    init(weight: [Float], outputChannels: Int, inputChannels: Int, scratchBudget: Int = Self.defaultScratchBudget) {
        precondition(weight.count == outputChannels * inputChannels * 9)
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.scratchBudget = scratchBudget
        let g: [[Double]] = [[1.0 / 4, 0, 0], [-1.0 / 6, -1.0 / 6, -1.0 / 6], [-1.0 / 6, 1.0 / 6, -1.0 / 6],
                             [1.0 / 24, 1.0 / 12, 1.0 / 6], [1.0 / 24, -1.0 / 12, 1.0 / 6], [0, 0, 1]]
        var u = [Float](repeating: 0, count: 36 * outputChannels * inputChannels)
        let plane = outputChannels * inputChannels
        for o in 0..<outputChannels {
            for i in 0..<inputChannels {
                let base = (o * inputChannels + i) * 9
                var t = [[Double]](repeating: [0, 0, 0], count: 6)   // G g (6x3)
                for r in 0..<6 {
                    for c in 0..<3 {
                        var sum = 0.0
                        for k in 0..<3 { sum += g[r][k] * Double(weight[base + k * 3 + c]) }
                        t[r][c] = sum
                    }
                }
                for r in 0..<6 {
                    for c in 0..<6 {
                        var sum = 0.0
                        for k in 0..<3 { sum += t[r][k] * g[c][k] }
                        u[(r * 6 + c) * plane + o * inputChannels + i] = Float(sum)
                    }
                }
            }
        }
        transformed = u
    }

    /// How the bands of this layer are spread over the cores.
    var schedule: WinogradSchedule {
        inputChannels * outputChannels > 256 * 256 ? .sharedBands : .privateBands
    }

    /// Block rows (of 4 output rows) per band for an image of this size.
    ///
    /// Shared bands aim at ``cacheTarget`` floats of V and M, so that the GEMMs read the
    /// transformed input back from cache, but take at least ``minimumTiles`` blocks (the GEMMs'
    /// width); private bands aim at ``privateTarget`` floats, what one core's cache holds, but take
    /// at least ``privateMinimumTiles`` blocks. Never
    /// more than ``scratchBudget`` floats, never less than one block row.
    func bandBlockRows(height: Int, width: Int) -> Int {
        let blocksWide = (width + 3) / 4, blocksHigh = (height + 3) / 4
        let perTile = 36 * (inputChannels + outputChannels)
        let wanted = schedule == .sharedBands ? max(Self.cacheTarget / perTile, Self.minimumTiles)
            : max(Self.privateTarget / perTile, Self.privateMinimumTiles)
        let tiles = min(scratchBudget / perTile, wanted)
        return max(1, min(blocksHigh, tiles / blocksWide))
    }

    /// Floats of V and M a shared band aims at (8 MiB, about what stays in this machine's caches).
    static let cacheTarget = 2 << 20
    /// The fewest blocks a shared band takes, when the scratch budget allows.
    static let minimumTiles = 256
    /// Floats of V and M a private band aims at (2 MiB: about a core's level-2 cache and a share of
    /// level 3; measured best among 0.25 to 16 MiB on the generator and the upscalers).
    static let privateTarget = 1 << 19
    /// The fewest blocks a private band takes, when the scratch budget allows (128: the GEMMs'
    /// width). The 2 MiB target alone gave 64-channel layers 96 blocks at 128x128 (11 bands) and
    /// 64 at 256x256; with 128 (8 bands and 128 blocks), anime-x4 went from 46.5-47.5 to 41.3-41.8 ms
    /// at 128x128 and from 176-180 to 165-166 ms at 256x256, and 7-9 % faster with OpenBLAS's AVX2
    /// kernels, the generator unchanged; 192 and 256 blocks were slower (docs/performance.md).
    static let privateMinimumTiles = 128
    /// Most floats of source rows a private band prefetches per channel (32 KiB). Prefetching every
    /// band's rows made the generator at 1024x1024 slower (348 against 243 ms); up to 8 KiB
    /// anime-x4 at 256x256 (16 KiB of rows) gained nothing, up to 32 KiB it went from 185 to 177 ms
    /// with the generator at 1024 and srgan-x4 unchanged.
    static let prefetchLimit = 8192

    /// Floats of scratch one band needs: V, M and the input transform's split rows.
    private func bandScratch(height: Int, width: Int) -> Int {
        let blocksWide = (width + 3) / 4
        let tiles = bandBlockRows(height: height, width: width) * blocksWide
        return 36 * (inputChannels + outputChannels) * tiles + WinogradTransforms.inputScratch(blocksWide: blocksWide)
    }

    /// Floats of scratch `apply` needs at this size (one band per worker for private bands).
    func scratchCount(height: Int, width: Int) -> Int {
        bandScratch(height: height, width: width) * (schedule == .privateBands ? BLAS.cores : 1)
    }

    /// `output[out, h, w] = conv3x3(input[in, h, w])` without bias; `scratch` holds ``scratchCount(height:width:)`` floats.
    ///
    /// With `upsampled`, `input` is `[in, h/2, w/2]` and is read as its nearest-neighbour 2x
    /// upsampling (h and w even); with `padding` p, it is `[in, h - 2p, w - 2p]`, read as if
    /// zero-padded by p on every side. `epilogue` runs on each band's finished output rows, in every
    /// channel, with `parallel` telling it whether it may spread its own work over the cores;
    /// `activation` (bias, PReLU) is applied by the output transform itself, before the epilogue.
    /// `streaming` writes the output past the caches (non-temporal stores) where it is aligned for
    /// it: for an output too big to stay in cache that no epilogue reads back (see
    /// ``Upscaler/streamingFloats``).
    func apply(input: UnsafePointer<Float>, upsampled: Bool = false, padding: Int = 0, height: Int, width: Int,
               output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
               activation: ChannelActivation? = nil, streaming: Bool = false, epilogue: ConvEpilogue? = nil) {
        precondition(!upsampled || (height % 2 == 0 && width % 2 == 0), "an upsampled input needs an even size")
        precondition(padding >= 0 && (padding == 0 || !upsampled) && 2 * padding < min(height, width))
        let blocksHigh = (height + 3) / 4
        let bandRows = bandBlockRows(height: height, width: width)
        let bands = (blocksHigh + bandRows - 1) / bandRows
        let perBand = bandScratch(height: height, width: width)
        // Runs of 32 output floats start 16-byte aligned when the planes and rows do.
        let streaming = streaming && Int(bitPattern: output) % 16 == 0 && width % 4 == 0
        let band = { (index: Int, slot: UnsafeMutablePointer<Float>, shared: Bool) in
            let by0 = index * bandRows, by1 = min(blocksHigh, by0 + bandRows)
            runBand(input, upsampled: upsampled, padding: padding, activation: activation, streaming: streaming,
                    height: height, width: width, blockRows: by0..<by1, output: output, scratch: slot, shared: shared)
            epilogue?(4 * by0 ..< min(height, 4 * by1), shared)
        }
        if schedule == .sharedBands || BLAS.cores == 1 || bands == 1 {
            // One band at a time, spread over the cores (same arithmetic as a private band).
            for index in 0..<bands { band(index, scratch, true) }
        } else {
            // Workers take the next band until none is left; each has its own slot of scratch.
            let next = BandCounter()
            DispatchQueue.concurrentPerform(iterations: BLAS.cores) { worker in
                while let index = next.take(below: bands) { band(index, scratch + worker * perBand, false) }
            }
        }
    }

    /// One band: input transform, the 36 GEMMs, output transform; spread over the cores when `shared`.
    private func runBand(_ input: UnsafePointer<Float>, upsampled: Bool, padding: Int, activation: ChannelActivation?, streaming: Bool,
                         height: Int, width: Int, blockRows: Range<Int>,
                         output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, shared: Bool) {
        let blocksWide = (width + 3) / 4
        let tiles = blockRows.count * blocksWide
        let cin = inputChannels, cout = outputChannels
        let v = scratch, m = v + 36 * cin * tiles, split = m + 36 * cout * tiles
        let splitCount = WinogradTransforms.inputScratch(blocksWide: blocksWide)
        let source = WinogradSource(upsampled: upsampled, padding: padding, height: height, width: width)
        let planeIn = source.planeSize
        let parallel = shared && cin * tiles >= 1 << 13
        // The source rows this band reads from one channel's plane: a core running the channels one
        // after another asks for the next channel's rows while it transforms this one's (their
        // loads were a sixth of anime-x4's time, waiting on memory), when they take at most
        // ``prefetchLimit`` floats.
        let sourceWidth = source.planeWidth
        let rowRange = source.planeRows(4 * blockRows.lowerBound - 1 ... 4 * blockRows.upperBound + 4)
        let prefetching = !parallel && rowRange.count * sourceWidth <= Self.prefetchLimit
        forEachIndex(cin, parallel: parallel) { c in
            if prefetching && c + 1 < cin {
                let next = input + (c + 1) * planeIn
                for r in rowRange {
                    var x = 0
                    while x < sourceWidth { BLAS.prefetch(next + r * sourceWidth + x); x += 16 }
                }
            }
            let transform = { (rows: UnsafeMutablePointer<Float>) in
                WinogradTransforms.input(input + c * planeIn, source: source, blockRows: blockRows, channel: c,
                                         into: v, tiles: tiles, scratch: rows)
            }
            if parallel {
                withUnsafeTemporaryAllocation(of: Float.self, capacity: splitCount) { transform($0.baseAddress!) }
            } else {
                transform(split)
            }
        }
        transformed.withUnsafeBufferPointer { u in
            let gemm = { (xi: Int) in
                BLAS.sgemmHere(m: cout, n: tiles, k: cin, a: u.baseAddress! + xi * cout * cin, lda: cin,
                               b: v + xi * tiles, ldb: 36 * tiles, c: m + xi * tiles, ldc: 36 * tiles)
            }
            if shared { BLAS.batch(36, gemm) } else { for xi in 0..<36 { gemm(xi) } }
        }
        forEachIndex(cout, parallel: shared && cout * tiles >= 1 << 13) { o in
            WinogradTransforms.output(m, channel: o, tiles: tiles, blockRows: blockRows, activation: activation?.of(channel: o),
                                      streaming: streaming, height: height, width: width, into: output + o * height * width)
        }
    }
}

/// How a Winograd layer's bands are spread over the cores (see ``Winograd3x3``).
enum WinogradSchedule {
    /// One band at a time, its transforms split by channel and its 36 GEMMs run side by side.
    case sharedBands
    /// Each core runs whole bands on its own.
    case privateBands
}

/// Hands out band indices to workers, each once.
final class BandCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0

    /// The next index below `count`, or nil when all are taken.
    func take(below count: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < count else { return nil }
        next += 1
        return next - 1
    }
}
