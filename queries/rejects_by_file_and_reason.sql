-- Which file produced the rejects, and why: rejected rows per input file,
-- disposition and reason, with the first line to look at.
SELECT
    source_file,
    disposition,
    reason,
    COUNT(*) AS rejected_rows,
    MIN(source_line) AS first_line
FROM rejected
GROUP BY source_file, disposition, reason
ORDER BY source_file, rejected_rows DESC, reason;
