package io.lesionsearch.query;

import java.io.Serializable;

/**
 * A reply ready to send: the message for the replies topic, and its line for the audit log, which
 * records what was asked and answered but never the image.
 */
public record Reply(String requestId, byte[] json, String audit) implements Serializable {}
