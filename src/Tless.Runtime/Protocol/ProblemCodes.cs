namespace Tless.Runtime.Protocol;

/// <summary>
/// The stable <c>code</c> member of every RFC 7807 problem the attestation service returns (docs/protocol.md lists
/// them with their HTTP status). Clients switch on these, never on the human-readable detail.
/// </summary>
public static class ProblemCodes
{
    // Request shape (400 / 413 / 429 / 404).
    public const string MalformedRequest = "malformed_request";
    public const string BadBase64 = "bad_base64";
    public const string BodyTooLarge = "body_too_large";
    public const string RateLimited = "rate_limited";
    public const string NotFound = "not_found";
    public const string RequestTimeout = "request_timeout";
    public const string InternalError = "internal_error";

    // Registration (PUT /v1/workflows/{wf}).
    public const string RegistrationInvalid = "registration_invalid";
    public const string RegistrationSignatureInvalid = "registration_signature_invalid";
    public const string RegistrationKeyMismatch = "registration_key_mismatch";
    public const string RegistrationVersionNotHigher = "registration_version_not_higher";
    public const string RegistrationNameMismatch = "registration_name_mismatch";
    public const string RegistrationAuthorityNotListed = "registration_authority_not_listed";
    public const string WorkflowKeyMismatch = "workflow_key_mismatch";

    // Attestation (POST /v1/attest, POST /v1/release).
    public const string UnknownWorkflow = "unknown_workflow";
    public const string UnknownNode = "unknown_node";
    public const string TeeNotAccepted = "tee_not_accepted";
    public const string EvidenceInvalid = "evidence_invalid";
    public const string MeasurementMismatch = "measurement_mismatch";
    public const string DebugNotAllowed = "debug_not_allowed";
    public const string ReportDataMismatch = "report_data_mismatch";
    public const string KeyInvalid = "key_invalid";
    public const string GidInvalid = "gid_invalid";
    public const string TokenMalformed = "token_malformed";
    public const string TokenSignatureInvalid = "token_signature_invalid";
    public const string TokenExpired = "token_expired";
    public const string TokenWorkflowMismatch = "token_workflow_mismatch";
    public const string TokenTargetMismatch = "token_target_mismatch";
    public const string EdgeNotInWorkflow = "edge_not_in_workflow";
    public const string InstanceOutOfRange = "instance_out_of_range";
    public const string ParentNotVouched = "parent_not_vouched";
    public const string TokenRedeemed = "token_redeemed";
    public const string NoWorkflowKey = "no_workflow_key";
}
