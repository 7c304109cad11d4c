DROP TABLE revisions;
DROP TABLE responses;
DROP TABLE invitations;
DROP TABLE surveys;
DROP TABLE municipalities;
