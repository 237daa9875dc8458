-- MySQL blog: AUTO_INCREMENT, backticks, reserved words and mixed case, UNIQUE KEY, inline ENUM.
CREATE TABLE `User` (
  `Id` INT NOT NULL AUTO_INCREMENT,
  `UserName` VARCHAR(40) NOT NULL,
  `email` VARCHAR(190) NOT NULL,
  `is_active` BOOLEAN NOT NULL DEFAULT TRUE,
  PRIMARY KEY (`Id`),
  UNIQUE KEY `uq_email` (`email`)
);

CREATE TABLE `group` (
  `id` INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  `name` VARCHAR(60) NOT NULL,
  `order` INT NOT NULL
);

CREATE TABLE `post` (
  `id` BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  `author_id` INT NOT NULL,
  `group_id` INT NULL,
  `title` VARCHAR(200) NOT NULL,
  `status` ENUM('draft', 'published', 'archived') NOT NULL,
  `views` INT NOT NULL DEFAULT 0,
  `created_at` DATETIME NOT NULL,
  `edited_at` DATETIME NULL,
  CONSTRAINT `chk_edited` CHECK (`edited_at` >= `created_at`),
  CONSTRAINT `fk_author` FOREIGN KEY (`author_id`) REFERENCES `User` (`Id`),
  CONSTRAINT `fk_group` FOREIGN KEY (`group_id`) REFERENCES `group` (`id`)
);
