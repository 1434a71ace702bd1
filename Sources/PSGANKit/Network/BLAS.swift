import COpenBLAS
import Dispatch
import Foundation

/// Matrix products on OpenBLAS, run single-threaded inside, with psgan's own parallelism around them.
///
/// On a machine with few cores, OpenBLAS's worker threads spin while psgan's own loops (im2col,
/// Winograd transforms, activations) run, and fight them for the cores. So OpenBLAS is set to one
/// thread, and psgan spreads work over the cores itself with Dispatch: independent GEMMs (the 36
/// of a Winograd convolution) run side by side, and a single wide GEMM is split by columns. Each
/// output element is computed the same way whatever the split, so results do not depend on the
/// number of cores.
public enum BLAS {
    /// Sets OpenBLAS to one thread, once per process.
    static let configured: Void = { openblas_set_num_threads(1) }()

    /// The kernels OpenBLAS chose for this processor, e.g. `SkylakeX` or `Haswell` (the AVX2 ones,
    /// which `OPENBLAS_CORETYPE=Haswell` forces on an AVX-512 machine).
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// `C[m, n] = A[m, k] × B[k, n]` (row-major, no transposes, `beta` 0), split into parts run
    /// side by side: by columns when there are enough of them, else by rows.
    ///
    /// The parts have fixed sizes (``columnsPerPart``, ``rowsPerPart``), whatever the number of
    /// cores: OpenBLAS's kernels may round a column differently depending on the width of the call
    /// it is in (its AVX2 kernels do, at the edges of their blocks), so a split that followed the
    /// core count would make frames depend on it.
    static func sgemm(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                      c: UnsafeMutablePointer<Float>, ldc: Int) {
        _ = configured
        func run(_ m: Int, _ n: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
                        1, a, Int32(lda), b, Int32(ldb), 0, c, Int32(ldc))
        }
        if n >= 2 * columnsPerPart {
            let parts = (n + columnsPerPart - 1) / columnsPerPart
            DispatchQueue.concurrentPerform(iterations: parts) { t in
                let n0 = t * columnsPerPart, n1 = min(n, n0 + columnsPerPart)
                run(m, n1 - n0, a, b + n0, c + n0)
            }
        } else if m >= 2 * rowsPerPart {
            let parts = (m + rowsPerPart - 1) / rowsPerPart
            DispatchQueue.concurrentPerform(iterations: parts) { t in
                let m0 = t * rowsPerPart, m1 = min(m, m0 + rowsPerPart)
                run(m1 - m0, n, a + m0 * lda, b, c + m0 * ldc)
            }
        } else {
            run(m, n, a, b, c)
        }
    }

    /// Columns in each part of a split GEMM (a multiple of 16, so each part starts on a cache line).
    static let columnsPerPart = 512

    /// Rows in each part of a GEMM split by rows.
    static let rowsPerPart = 64

    /// `C[m, n] = A[m, k] × B[k, n]` (row-major, no transposes, `beta` 0) on the calling thread.
    static func sgemmHere(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                          c: UnsafeMutablePointer<Float>, ldc: Int) {
        _ = configured
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
                    1, a, Int32(lda), b, Int32(ldb), 0, c, Int32(ldc))
    }

    /// `y[m] = A[m, n] × x[n]` (row-major) on the calling thread.
    static func sgemv(m: Int, n: Int, a: UnsafePointer<Float>, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        _ = configured
        cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(m), Int32(n), 1, a, Int32(n), x, 1, 0, y, 1)
    }

    /// Asks the processor to bring the cache line at `address` in for reading soon.
    @inline(__always) static func prefetch(_ address: UnsafePointer<Float>) { psgan_prefetch(address) }

    /// Writes 32 floats at `target` (16-byte aligned) past the caches (non-temporal stores), for
    /// output that nothing reads soon.
    @inline(__always) static func stream(_ values: SIMD32<Float>, to target: UnsafeMutablePointer<Float>) {
        withUnsafeBytes(of: values) { psgan_stream32($0.baseAddress!.assumingMemoryBound(to: Float.self), target) }
    }

    /// Orders the ``stream(_:to:)`` stores made so far before later stores (call before handing the
    /// output to another thread).
    static func storeFence() { psgan_store_fence() }

    /// Runs `count` independent single-threaded GEMMs (given by `body`) side by side.
    static func batch(_ count: Int, _ body: (Int) -> Void) {
        _ = configured
        DispatchQueue.concurrentPerform(iterations: count, execute: body)
    }

    /// The number of parts a wide GEMM is split into: `$PSGAN_THREADS` when set, else the cores.
    ///
    /// Splitting changes which thread computes which outputs, never how, so frames are the same
    /// for any value (`DeterminismTests` checks it).
    static let cores: Int = {
        if let value = ProcessInfo.processInfo.environment["PSGAN_THREADS"].flatMap({ Int($0) }), value >= 1 {
            return min(value, 256)
        }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }()
}
