DROP TABLE question_publication;
