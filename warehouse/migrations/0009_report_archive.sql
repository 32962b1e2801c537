-- 0009: what an issued report was made from (issue 14): the instant its figures are as of, the
-- estate snapshot and the versions that produced them (JSON), and where its file was written.
-- With these a report can be rendered again as recorded and compared byte for byte.
ALTER TABLE issued_reports ADD COLUMN as_of_utc TIMESTAMP;
ALTER TABLE issued_reports ADD COLUMN estate_sha256 VARCHAR;
ALTER TABLE issued_reports ADD COLUMN provenance VARCHAR;
ALTER TABLE issued_reports ADD COLUMN archive_path VARCHAR;
