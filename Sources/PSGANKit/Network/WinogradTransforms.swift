/// How a Winograd convolution's input plane maps onto its `height x width` frame: as it is, as its
/// nearest-neighbour 2x upsampling, or zero-padded by `padding` on every side.
struct WinogradSource {
    let upsampled: Bool
    let padding: Int
    /// The frame (the convolution's output size).
    let height: Int, width: Int

    /// The plane's size.
    var planeWidth: Int { upsampled ? width / 2 : width - 2 * padding }
    var planeHeight: Int { upsampled ? height / 2 : height - 2 * padding }
    var planeSize: Int { planeWidth * planeHeight }

    /// The plane row that frame row `y` reads, or nil where the frame is zero.
    func planeRow(_ y: Int) -> Int? {
        guard y >= 0 && y < height else { return nil }
        let row = upsampled ? y / 2 : y - padding
        return row >= 0 && row < planeHeight ? row : nil
    }

    /// The plane rows that frame rows `rows` read (empty where they read only zeros).
    func planeRows(_ rows: ClosedRange<Int>) -> Range<Int> {
        let low = max(0, rows.lowerBound), high = min(height - 1, rows.upperBound)
        guard low <= high else { return 0 ..< 0 }
        if upsampled { return low / 2 ..< high / 2 + 1 }
        let first = max(0, low - padding), last = min(planeHeight - 1, high - padding)
        return first <= last ? first ..< last + 1 : 0 ..< 0
    }
}

/// The input and output transforms of Winograd F(4x4, 3x3), eight blocks at a time in SIMD registers.
///
/// A block's 6 input columns are `4bx - 1 ... 4bx + 4`, so a row is first split into its four
/// column phases (`P_k[bx] = row[4bx + k - 1]`); the six columns of block `bx` are then `P_0..P_3`
/// at `bx` and `P_0, P_1` at `bx + 1`, each a contiguous run over eight blocks. The arithmetic is
/// the scalar transforms' (same operations, same order), so results do not depend on the lane count.
enum WinogradTransforms {
    typealias Vector = Vector8.Value
    static let lanes = 8

    /// Floats per phase array of a split row: every block plus one, rounded up, plus a chunk's slack.
    static func phaseLength(blocksWide: Int) -> Int { (blocksWide + lanes - 1) / lanes * lanes + 2 * lanes }

    /// Floats of per-worker scratch ``input(_:source:blockRows:channel:into:tiles:scratch:)``
    /// needs: six split rows and one zero-padded image row.
    static func inputScratch(blocksWide: Int) -> Int { 24 * phaseLength(blocksWide: blocksWide) + 4 * blocksWide + lanes }

    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> Vector { Vector8.load(p) }
    @inline(__always) static func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>) { Vector8.store(v, p) }

    /// Splits image row `line` (`width` floats, or zeros when nil) into its four column phases at `phases`.
    static func split(_ line: UnsafePointer<Float>?, width: Int, phaseLength n: Int, into phases: UnsafeMutablePointer<Float>) {
        let p0 = phases, p1 = phases + n, p2 = phases + 2 * n, p3 = phases + 3 * n
        guard let line else {
            phases.update(repeating: 0, count: 4 * n)
            return
        }
        // U_m[bx] = line[4bx + m]; P_1..P_3 = U_0..U_2, P_0[bx + 1] = U_3[bx].
        p0[0] = 0
        var bx = 0
        while 4 * bx + 32 <= width {
            let v = UnsafeRawPointer(line + 4 * bx).loadUnaligned(as: SIMD32<Float>.self)
            let even = v.evenHalf, odd = v.oddHalf
            store(even.evenHalf, p1 + bx)
            store(odd.evenHalf, p2 + bx)
            store(even.oddHalf, p3 + bx)
            store(odd.oddHalf, p0 + bx + 1)
            bx += 8
        }
        while bx < n - 1 {
            let x = 4 * bx
            p1[bx] = x < width ? line[x] : 0
            p2[bx] = x + 1 < width ? line[x + 1] : 0
            p3[bx] = x + 2 < width ? line[x + 2] : 0
            p0[bx + 1] = x + 3 < width ? line[x + 3] : 0
            bx += 1
        }
        p1[n - 1] = 0
        p2[n - 1] = 0
        p3[n - 1] = 0
    }

    /// Splits the nearest-neighbour 2x upsampling of `line` (`width / 2` floats, or zeros when nil),
    /// `width` floats wide, into its four column phases: `U_0 = U_1 = line[2bx]`, `U_2 = U_3 = line[2bx + 1]`.
    static func splitUpsampled(_ line: UnsafePointer<Float>?, width: Int, phaseLength n: Int, into phases: UnsafeMutablePointer<Float>) {
        let p0 = phases, p1 = phases + n, p2 = phases + 2 * n, p3 = phases + 3 * n
        guard let line else {
            phases.update(repeating: 0, count: 4 * n)
            return
        }
        let half = width / 2
        p0[0] = 0
        var bx = 0
        while 2 * bx + 16 <= half {
            let v = UnsafeRawPointer(line + 2 * bx).loadUnaligned(as: SIMD16<Float>.self)
            let even = v.evenHalf, odd = v.oddHalf
            store(even, p1 + bx)
            store(even, p2 + bx)
            store(odd, p3 + bx)
            store(odd, p0 + bx + 1)
            bx += 8
        }
        while bx < n - 1 {
            let even: Float = 2 * bx < half ? line[2 * bx] : 0, odd: Float = 2 * bx + 1 < half ? line[2 * bx + 1] : 0
            p1[bx] = even
            p2[bx] = even
            p3[bx] = odd
            p0[bx + 1] = odd
            bx += 1
        }
        p1[n - 1] = 0
        p2[n - 1] = 0
        p3[n - 1] = 0
    }

    /// `V_ξ[channel, t] = (Bᵀ d B)_ξ` for every block t of `blockRows` in one channel's plane,
    /// read as `source` says.
    ///
    /// `v` is `[channels][36][tiles]`; `scratch` holds ``inputScratch(blocksWide:)`` floats.
    static func input(_ plane: UnsafePointer<Float>, source: WinogradSource, blockRows: Range<Int>,
                      channel: Int, into v: UnsafeMutablePointer<Float>, tiles: Int,
                      scratch: UnsafeMutablePointer<Float>) {
        let width = source.width
        let blocksWide = (width + 3) / 4
        let n = phaseLength(blocksWide: blocksWide)
        let stride = tiles
        let padded = scratch + 24 * n   // one zero-padded image row
        let padding = source.padding, real = source.planeWidth
        /// Splits image row y (in the padded or upsampled frame of reference) into `slot`.
        func fetch(_ y: Int, into slot: UnsafeMutablePointer<Float>) {
            let line = source.planeRow(y).map { plane + $0 * real }
            if source.upsampled {
                splitUpsampled(line, width: width, phaseLength: n, into: slot)
            } else if let line, padding > 0 {
                padded.update(repeating: 0, count: padding)
                (padded + padding).update(from: line, count: real)
                (padded + padding + real).update(repeating: 0, count: padding)
                split(padded, width: width, phaseLength: n, into: slot)
            } else {
                split(line, width: width, phaseLength: n, into: slot)
            }
        }
        withUnsafeTemporaryAllocation(of: Vector.self, capacity: 36) { t in
            let t = t.baseAddress!
            // Image row y is split into slot (y + 1) mod 6, so a block row reuses the two rows it
            // shares with the one above.
            var done = Int.min
            for by in blockRows {
                for k in 0..<6 where 4 * by - 1 + k > done {
                    let y = 4 * by - 1 + k
                    fetch(y, into: scratch + 4 * ((y + 1) % 6) * n)
                }
                done = 4 * by + 4
                let r0 = scratch + 4 * ((4 * by) % 6) * n, r1 = scratch + 4 * ((4 * by + 1) % 6) * n
                let r2 = scratch + 4 * ((4 * by + 2) % 6) * n, r3 = scratch + 4 * ((4 * by + 3) % 6) * n
                let r4 = scratch + 4 * ((4 * by + 4) % 6) * n, r5 = scratch + 4 * ((4 * by + 5) % 6) * n
                let base = v + channel * 36 * tiles + (by - blockRows.lowerBound) * blocksWide
                var bx = 0
                while bx < blocksWide {
                    // Vertical: t[q * 6 + i] for column q of the eight blocks' 6x6 inputs.
                    for q in 0..<6 {
                        let column = (q & 3) * n + bx + (q >> 2)
                        let d0 = load(r0 + column), d1 = load(r1 + column), d2 = load(r2 + column)
                        let d3 = load(r3 + column), d4 = load(r4 + column), d5 = load(r5 + column)
                        let row = t + q * 6
                        row[0] = 4 * d0 - 5 * d2 + d4
                        row[1] = d3 + d4 - 4 * (d1 + d2)
                        row[2] = d4 - d3 + 4 * (d1 - d2)
                        row[3] = d4 - d2 + 2 * (d3 - d1)
                        row[4] = d4 - d2 + 2 * (d1 - d3)
                        row[5] = 4 * d1 - 5 * d3 + d5
                    }
                    // Horizontal: output ξ = i * 6 + j.
                    let count = min(lanes, blocksWide - bx)
                    for i in 0..<6 {
                        let s0 = t[i], s1 = t[6 + i], s2 = t[12 + i], s3 = t[18 + i], s4 = t[24 + i], s5 = t[30 + i]
                        let o = base + bx + i * 6 * stride
                        let values = (4 * s0 - 5 * s2 + s4, s3 + s4 - 4 * (s1 + s2), s4 - s3 + 4 * (s1 - s2),
                                      s4 - s2 + 2 * (s3 - s1), s4 - s2 + 2 * (s1 - s3), 4 * s1 - 5 * s3 + s5)
                        if count == lanes {
                            store(values.0, o)
                            store(values.1, o + stride)
                            store(values.2, o + 2 * stride)
                            store(values.3, o + 3 * stride)
                            store(values.4, o + 4 * stride)
                            store(values.5, o + 5 * stride)
                        } else {
                            for l in 0..<count {
                                o[l] = values.0[l]
                                o[stride + l] = values.1[l]
                                o[2 * stride + l] = values.2[l]
                                o[3 * stride + l] = values.3[l]
                                o[4 * stride + l] = values.4[l]
                                o[5 * stride + l] = values.5[l]
                            }
                        }
                    }
                    bx += lanes
                }
            }
        }
    }

    /// `Y = Aᵀ M A` for every block of `blockRows` of output channel `channel`, written into its plane,
    /// plus `activation`'s bias and then its PReLU slope when given.
    ///
    /// `m` is `[channels][36][tiles]`. With `streaming`, whole runs of 32 floats are written past
    /// the caches (``BLAS/stream(_:to:)``); `plane` and `width` must then keep them 16-byte aligned.
    static func output(_ m: UnsafePointer<Float>, channel: Int, tiles: Int, blockRows: Range<Int>, activation: (bias: Float, slope: Float?)? = nil,
                       streaming: Bool = false, height: Int, width: Int, into plane: UnsafeMutablePointer<Float>) {
        let blocksWide = (width + 3) / 4
        let stride = tiles
        withUnsafeTemporaryAllocation(of: Vector.self, capacity: 24) { s in
            let s = s.baseAddress!
            for by in blockRows {
                let base = m + channel * 36 * tiles + (by - blockRows.lowerBound) * blocksWide
                var bx = 0
                while bx < blocksWide {
                    let count = min(lanes, blocksWide - bx)
                    // Rows: s[r * 6 + j] = Σ_i Aᵀ[r][i] m[i][j].
                    for j in 0..<6 {
                        let column = base + bx + j * stride
                        let m0: Vector, m1: Vector, m2: Vector, m3: Vector, m4: Vector, m5: Vector
                        if count == lanes {
                            m0 = load(column); m1 = load(column + 6 * stride); m2 = load(column + 12 * stride)
                            m3 = load(column + 18 * stride); m4 = load(column + 24 * stride); m5 = load(column + 30 * stride)
                        } else {
                            m0 = partial(column, count); m1 = partial(column + 6 * stride, count)
                            m2 = partial(column + 12 * stride, count); m3 = partial(column + 18 * stride, count)
                            m4 = partial(column + 24 * stride, count); m5 = partial(column + 30 * stride, count)
                        }
                        let p = m1 + m2, q = m1 - m2, r = m3 + m4, w = m3 - m4
                        s[j] = m0 + p + r
                        s[6 + j] = q + 2 * w
                        s[12 + j] = p + 4 * r
                        s[18 + j] = q + 8 * w + m5
                    }
                    // Columns: y[r][c] = Σ_j s_r[j] A[j][c], interleaved back into image order.
                    for r in 0..<4 {
                        let y = 4 * by + r
                        guard y < height else { break }
                        let c = s + r * 6
                        let p = c[1] + c[2], q = c[1] - c[2], rr = c[3] + c[4], w = c[3] - c[4]
                        var y0 = c[0] + p + rr, y1 = q + 2 * w, y2 = p + 4 * rr, y3 = q + 8 * w + c[5]
                        if let (bias, slope) = activation {
                            y0 = ChannelActivation.apply(y0, bias: bias, slope: slope)
                            y1 = ChannelActivation.apply(y1, bias: bias, slope: slope)
                            y2 = ChannelActivation.apply(y2, bias: bias, slope: slope)
                            y3 = ChannelActivation.apply(y3, bias: bias, slope: slope)
                        }
                        let x0 = 4 * bx
                        let line = plane + y * width + x0
                        if x0 + 32 <= width {
                            if streaming {
                                BLAS.stream(interleave(y0, y1, y2, y3), to: line)
                            } else {
                                UnsafeMutableRawPointer(line).storeBytes(of: interleave(y0, y1, y2, y3), as: SIMD32<Float>.self)
                            }
                        } else {
                            for l in 0..<count {
                                let x = 4 * l
                                if x0 + x < width { line[x] = y0[l] }
                                if x0 + x + 1 < width { line[x + 1] = y1[l] }
                                if x0 + x + 2 < width { line[x + 2] = y2[l] }
                                if x0 + x + 3 < width { line[x + 3] = y3[l] }
                            }
                        }
                    }
                    bx += lanes
                }
            }
        }
        if streaming { BLAS.storeFence() }
    }

    /// The first `count` floats at `p`, zeros after.
    @inline(__always) static func partial(_ p: UnsafePointer<Float>, _ count: Int) -> Vector {
        var v = Vector()
        for l in 0..<count { v[l] = p[l] }
        return v
    }

    /// `[a0, b0, c0, d0, a1, b1, ...]`.
    @inline(__always) static func interleave(_ a: Vector, _ b: Vector, _ c: Vector, _ d: Vector) -> SIMD32<Float> {
        let ab0 = SIMD16(lowHalf: a, highHalf: b), cd0 = SIMD16(lowHalf: c, highHalf: d)
        var result = SIMD32<Float>()
        for l in 0..<8 {
            result[4 * l] = ab0[l]
            result[4 * l + 1] = ab0[8 + l]
            result[4 * l + 2] = cd0[l]
            result[4 * l + 3] = cd0[8 + l]
        }
        return result
    }
}
