import PSGANKit
import Testing

/// Runs `body`, expecting it to throw a ``PSGANError`` of `kind`; returns the error for further checks.
@discardableResult
func expectError<R>(_ kind: PSGANError.Kind, sourceLocation: SourceLocation = #_sourceLocation,
                    _ body: () throws -> R) -> PSGANError? {
    do {
        _ = try body()
        Issue.record("expected a \(kind) error, nothing was thrown", sourceLocation: sourceLocation)
        return nil
    } catch let error as PSGANError {
        #expect(error.kind == kind, "expected a \(kind) error, got \(error.kind): \(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected a PSGANError, got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
